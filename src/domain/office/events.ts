import { z } from 'zod';
import { maxTrustBrowserDays } from '../shared/browser-trust.ts';
import { entityId, isoInstant } from '../shared/schema.ts';

export const officeEventSchemas = {
  OfficeRegistered: z.object({ officeId: entityId, name: z.string().min(1).max(200) }),
  /** `enforceFrom`: until then, employees not yet enrolled may log in without a code but are told to enrol. */
  OfficeTwoFactorRequired: z.object({ officeId: entityId, enforceFrom: isoInstant.nullable() }),
  OfficeTwoFactorRequirementLifted: z.object({ officeId: entityId }),
  /** How many days a browser trusted after a second factor may skip the code (0: trust is off). */
  OfficeBrowserTrustChanged: z.object({
    officeId: entityId,
    trustBrowserDays: z.number().int().min(0).max(maxTrustBrowserDays),
  }),
  /**
   * A re-enrolment campaign: enrolments made before `startedAt` are due by `deadline`; from then on
   * their owners enrol a new authenticator at login before they get a session.
   */
  OfficeReenrollmentRequired: z.object({
    officeId: entityId,
    startedAt: isoInstant,
    deadline: isoInstant,
    reason: z.string().min(1).max(1000),
  }),
  /** The campaign was ended (early, or after its deadline): old enrolments are good again. */
  OfficeReenrollmentEnded: z.object({ officeId: entityId, endedAt: isoInstant }),
} as const;

type Schemas = typeof officeEventSchemas;
export type OfficeEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

export const officeStream = (officeId: string): string => `office-${officeId}`;
