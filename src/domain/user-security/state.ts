import { z } from 'zod';
import { encryptedSecretSchema } from '../shared/encrypted-secret.ts';
import { totpParametersSchema } from './totp-parameters.ts';

/** The state as plain JSON (times as ISO strings), so that a snapshot of it reads back the same. */
export const userSecurityStateSchema = z.object({
  enrollment: z
    .object({
      enrollmentId: z.string(),
      secret: encryptedSecretSchema,
      enrolledAt: z.string(),
      parameters: totpParametersSchema,
    })
    .nullable(),
  pendingEnrollment: z
    .object({ enrollmentId: z.string(), secret: encryptedSecretSchema, expiresAt: z.string() })
    .nullable(),
  /** The newest TOTP time step accepted; a code of this step or an older one is a replay. */
  lastAcceptedStep: z.number().int().nullable(),
  unusedRecoveryCodes: z.array(z.string()),
  consecutiveFailures: z.number().int().nonnegative(),
  /** Lock-outs since the last success: each one lasts longer. */
  lockoutCount: z.number().int().nonnegative(),
  lockedUntil: z.string().nullable(),
  /** A code support issued for a lost authenticator (its hash), good until `expiresAt`. */
  temporaryAccess: z.object({ codeHash: z.string(), issuedAt: z.string(), expiresAt: z.string() }).nullable(),
  /** Set while the account is frozen ("this wasn't me"): no login, no 2FA change. */
  frozenAt: z.string().nullable(),
  /** Browsers that may skip the code until `expiresAt` (or the office's lower limit); tokens as digests. */
  trustedBrowsers: z.array(
    z.object({
      browserId: z.string(),
      tokenDigest: z.string(),
      description: z.string(),
      trustedAt: z.string(),
      expiresAt: z.string(),
      lastUsedAt: z.string().nullable(),
    }),
  ),
});
export type TrustedBrowser = UserSecurityState['trustedBrowsers'][number];
export type UserSecurityState = z.infer<typeof userSecurityStateSchema>;

export const initialUserSecurityState = (): UserSecurityState => ({
  enrollment: null,
  pendingEnrollment: null,
  lastAcceptedStep: null,
  unusedRecoveryCodes: [],
  consecutiveFailures: 0,
  lockoutCount: 0,
  lockedUntil: null,
  temporaryAccess: null,
  frozenAt: null,
  trustedBrowsers: [],
});
