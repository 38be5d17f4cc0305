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
} as const;

type Schemas = typeof officeEventSchemas;
export type OfficeEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

export const officeStream = (officeId: string): string => `office-${officeId}`;
