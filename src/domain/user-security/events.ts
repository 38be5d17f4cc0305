import { z } from 'zod';
import { encryptedSecretSchema } from '../shared/encrypted-secret.ts';
import { entityId, isoInstant } from '../shared/schema.ts';
import { totpParametersSchema } from './totp-parameters.ts';

const timeStep = z.number().int().nonnegative();
const recoveryCodeHash = z.string().min(1);
const supportReason = z.string().min(1).max(1000);
const supportTicket = z.string().min(1).max(200);

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
  SupportReset: z.object({ userId: entityId, reason: supportReason, ticket: supportTicket }),
  RecoveryCodesIssued: z.object({
    userId: entityId,
    enrollmentId: entityId,
    codeHashes: z.array(recoveryCodeHash).length(10),
  }),
  RecoveryCodeUsed: z.object({ userId: entityId, codeHash: recoveryCodeHash }),
  SecondFactorVerified: z.object({
    userId: entityId,
    method: z.enum(['totp', 'recovery-code', 'temporary-access']),
    timeStep: timeStep.nullable(),
  }),
  SecondFactorRejected: z.object({
    userId: entityId,
    reason: z.enum([
      'invalid-code',
      'code-already-used',
      'invalid-recovery-code',
      'invalid-temporary-access',
    ]),
    consecutiveFailures: z.number().int().positive(),
  }),
  SecondFactorLockedOut: z.object({
    userId: entityId,
    lockedUntil: isoInstant,
    lockoutCount: z.number().int().positive(),
  }),
  /**
   * Support gave a user who lost their authenticator a code to log in with until `expiresAt` (or until
   * they enrol again): the lost authenticator and its recovery codes stop working. Only its hash is kept.
   */
  TemporaryAccessIssued: z.object({
    userId: entityId,
    temporaryCodeHash: recoveryCodeHash,
    issuedAt: isoInstant,
    expiresAt: isoInstant,
    reason: supportReason,
    ticket: supportTicket,
  }),
  /** The temporary code stood in for the authenticator at a login (it stays usable until it ends). */
  TemporaryAccessUsed: z.object({ userId: entityId, usedAt: isoInstant }),
  /** `why`: a new code replaced it, support ended it (with reason and ticket), the user enrolled, a reset, a freeze. */
  TemporaryAccessEnded: z.object({
    userId: entityId,
    why: z.enum(['replaced', 'ended-by-support', 'enrolled', 'reset', 'frozen']),
    reason: supportReason.optional(),
    ticket: supportTicket.optional(),
  }),
  /** "This wasn't me": the user froze the account with a token from a notification. */
  AccountFrozen: z.object({ userId: entityId, frozenAt: isoInstant }),
  /** Support lifted a freeze after checking with the user. */
  AccountUnfrozen: z.object({ userId: entityId, reason: supportReason, ticket: supportTicket }),
  /**
   * After a second factor the user trusted this browser: until `expiresAt` a login from it with the right
   * password skips the code. Only the SHA-256 of its device token is kept.
   */
  BrowserTrusted: z.object({
    userId: entityId,
    browserId: entityId,
    tokenDigest: z.string().regex(/^[0-9a-f]{64}$/),
    description: z.string().max(200),
    trustedAt: isoInstant,
    expiresAt: isoInstant,
  }),
  /** A login skipped the code because it came from this trusted browser. */
  TrustedBrowserUsed: z.object({ userId: entityId, browserId: entityId, usedAt: isoInstant }),
  /** The browser no longer skips the code: revoked by the user, or ended by `why`. */
  TrustedBrowserRevoked: z.object({
    userId: entityId,
    browserId: entityId,
    why: z.enum([
      'by-user',
      'replaced',
      'reset',
      'disabled',
      'temporary-access',
      'frozen',
      'erased',
      'policy-lowered',
      'reenrolment-deadline',
      'password-changed',
    ]),
  }),
} as const;

type Schemas = typeof userSecurityEventSchemas;
export type UserSecurityEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

export const userSecurityStream = (userId: string): string => `user-security-${userId}`;
