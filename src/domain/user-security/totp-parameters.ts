import { z } from 'zod';

export const totpAlgorithms = ['SHA1', 'SHA256', 'SHA512'] as const;

/** How an authenticator computes its codes (RFC 6238): the hash, the code length and the step length. */
export const totpParametersSchema = z.object({
  algorithm: z.enum(totpAlgorithms),
  digits: z.union([z.literal(6), z.literal(8)]),
  period: z.union([z.literal(30), z.literal(60)]),
});
export type TotpParameters = z.infer<typeof totpParametersSchema>;

/** What every authenticator app assumes, and what the service's own enrolments use. */
export const defaultTotpParameters: TotpParameters = { algorithm: 'SHA1', digits: 6, period: 30 };

/**
 * The last accepted step measured in steps of another length: the step of the new length that holds the
 * start of the old one, so a code from before the change still counts as used and none after it does.
 */
export const rescaleStep = (step: number | null, fromPeriod: number, toPeriod: number): number | null =>
  step === null ? null : Math.floor((step * fromPeriod) / toPeriod);
