import { z } from 'zod';

export const officeStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unregistered') }),
  z.object({
    status: z.literal('registered'),
    officeId: z.string(),
    name: z.string(),
    twoFactorRequired: z.boolean(),
    enforceFrom: z.string().nullable(),
    trustBrowserDays: z.number().int().nonnegative(),
    /** The re-enrolment campaign in force, or null. */
    reenrollment: z.object({ startedAt: z.string(), deadline: z.string(), reason: z.string() }).nullable(),
  }),
]);
export type OfficeState = z.infer<typeof officeStateSchema>;

export const initialOfficeState = (): OfficeState => ({ status: 'unregistered' });
