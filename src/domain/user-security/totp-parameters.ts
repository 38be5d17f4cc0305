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
 * The last accepted step after an enrolment's parameters change. Steps of another length count from
 * another origin: a 60 s counter now is about half a 30 s one, so no code of the one scale can be a
 * replay of the other and the guard starts afresh; with the same length it is kept.
 */
export const lastStepAfterChange = (
  step: number | null,
  fromPeriod: number,
  toPeriod: number,
): number | null => (fromPeriod === toPeriod ? step : null);
