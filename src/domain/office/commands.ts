import type { Actor } from '../shared/actor.ts';

export type OfficeCommand =
  | { type: 'RegisterOffice'; officeId: string; name: string; actor: Actor }
  | {
      type: 'RequireTwoFactor';
      officeId: string;
      enforceFrom: string | null;
      /** When the command is decided (UTC ISO): a new deadline must lie after it. */
      now: string;
      /** Days a browser may skip the code after a second factor (0 = off); undefined keeps the current value. */
      trustBrowserDays?: number;
      actor: Actor;
    }
  | { type: 'LiftTwoFactorRequirement'; officeId: string; trustBrowserDays?: number; actor: Actor }
  /** Every member's enrolment made before `now` must be replaced by a new one by `deadline`. */
  | {
      type: 'RequireReenrollment';
      officeId: string;
      deadline: string;
      reason: string;
      now: string;
      actor: Actor;
    }
  | { type: 'EndReenrollment'; officeId: string; now: string; actor: Actor };
