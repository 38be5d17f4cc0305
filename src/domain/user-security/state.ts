import type { EncryptedSecret } from '../shared/encrypted-secret.ts';
import type { TotpParameters } from './totp-parameters.ts';

export type UserSecurityState = {
  enrollment: {
    enrollmentId: string;
    secret: EncryptedSecret;
    enrolledAt: string;
    parameters: TotpParameters;
  } | null;
  pendingEnrollment: { enrollmentId: string; secret: EncryptedSecret; expiresAt: string } | null;
  /** The newest TOTP time step accepted; a code of this step or an older one is a replay. */
  lastAcceptedStep: number | null;
  unusedRecoveryCodes: string[];
  consecutiveFailures: number;
  /** Lock-outs since the last success: each one lasts longer. */
  lockoutCount: number;
  lockedUntil: string | null;
};

export const initialUserSecurityState = (): UserSecurityState => ({
  enrollment: null,
  pendingEnrollment: null,
  lastAcceptedStep: null,
  unusedRecoveryCodes: [],
  consecutiveFailures: 0,
  lockoutCount: 0,
  lockedUntil: null,
});
