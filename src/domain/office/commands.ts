import type { Actor } from '../shared/actor.ts';

export type OfficeCommand =
  | { type: 'RegisterOffice'; officeId: string; name: string; actor: Actor }
  | { type: 'RequireTwoFactor'; officeId: string; enforceFrom: string | null; actor: Actor }
  | { type: 'LiftTwoFactorRequirement'; officeId: string; actor: Actor };
