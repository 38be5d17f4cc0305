import { z } from 'zod';
import { encryptedSecretSchema } from '../shared/encrypted-secret.ts';
import { entityId, isoInstant } from '../shared/schema.ts';
import { totpParametersSchema } from './totp-parameters.ts';

const timeStep = z.number().int().nonnegative();
const recoveryCodeHash = z.string().min(1);

export const userSecurityEventSchemas = {
  TotpEnrollmentStarted: z.object({
    userId: entityId,
    enrollmentId: entityId,
    secret: encryptedSecretSchema,
    startedAt: isoInstant,
    expiresAt: isoInstant,
  }),
  /** `acceptedStep`: the TOTP time step of the confirming code, so that code cannot log in afterwards. */
  TotpEnrolled: z.object({
    userId: entityId,
    enrollmentId: entityId,
    enrolledAt: isoInstant,
    acceptedStep: timeStep,
  }),
  /**
   * An enrolment brought from another system: the secret sealed like a native one, the parameters the
   * user's app already uses, and the file it came from. `replaced`: it took the place of an enrolment.
   */
  TotpImported: z.object({
    userId: entityId,
    enrollmentId: entityId,
    secret: encryptedSecretSchema,
    parameters: totpParametersSchema,
    source: z.object({ format: z.enum(['csv', 'otpauth-uri']), line: z.number().int().positive() }),
    importedAt: isoInstant,
    /** When the user first enrolled in the system they came from, when the file said so. */
    originallyEnrolledAt: isoInstant.optional(),
    replaced: z.boolean(),
  }),
  TotpDisabled: z.object({ userId: entityId, enrollmentId: entityId, proof: z.enum(['code', 'password']) }),
  SupportReset: z.object({
    userId: entityId,
    reason: z.string().min(1).max(1000),
    ticket: z.string().min(1).max(200),
  }),
  RecoveryCodesIssued: z.object({
    userId: entityId,
    enrollmentId: entityId,
    codeHashes: z.array(recoveryCodeHash).length(10),
  }),
  RecoveryCodeUsed: z.object({ userId: entityId, codeHash: recoveryCodeHash }),
  SecondFactorVerified: z.object({
    userId: entityId,
    method: z.enum(['totp', 'recovery-code']),
    timeStep: timeStep.nullable(),
  }),
  SecondFactorRejected: z.object({
    userId: entityId,
    reason: z.enum(['invalid-code', 'code-already-used', 'invalid-recovery-code']),
    consecutiveFailures: z.number().int().positive(),
  }),
  SecondFactorLockedOut: z.object({
    userId: entityId,
    lockedUntil: isoInstant,
    lockoutCount: z.number().int().positive(),
  }),
} as const;

type Schemas = typeof userSecurityEventSchemas;
export type UserSecurityEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

export const userSecurityStream = (userId: string): string => `user-security-${userId}`;
