import type { EncryptedSecret } from '../domain/shared/encrypted-secret.ts';
import type { TotpParameters } from '../domain/user-security/totp-parameters.ts';
import type { ApplicationDeps } from './dependencies.ts';
import { totpSecretAssociatedData } from './ports/secret-cipher.ts';
import type { TotpCheck } from './ports/totp.ts';

/** A pending enrolment has no parameters: the service's own enrolments use the default ones. */
type Enrolment = { enrollmentId: string; secret: EncryptedSecret; parameters?: TotpParameters };

/** Checks a code against an enrolment's encrypted secret; no enrolment means no valid code. */
export const checkCodeAgainst = async (
  deps: Pick<ApplicationDeps, 'vault' | 'totp' | 'clock'>,
  userId: string,
  enrolment: Enrolment | null,
  code: string,
): Promise<TotpCheck> => {
  if (enrolment === null) return { valid: false, timeStep: null };
  const secret = await deps.vault.open(
    userId,
    enrolment.secret,
    totpSecretAssociatedData(userId, enrolment.enrollmentId),
  );
  // An erased user's secret cannot be read, so no code of theirs is valid.
  if (secret === null) return { valid: false, timeStep: null };
  return deps.totp.check(secret, code, deps.clock.now(), enrolment.parameters);
};
