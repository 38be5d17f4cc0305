import type { EncryptedSecret } from '../domain/shared/encrypted-secret.ts';
import type { ApplicationDeps } from './dependencies.ts';
import { totpSecretAssociatedData } from './ports/secret-cipher.ts';
import type { TotpCheck } from './ports/totp.ts';

type Enrolment = { enrollmentId: string; secret: EncryptedSecret };

/** Checks a code against an enrolment's encrypted secret; no enrolment means no valid code. */
export const checkCodeAgainst = async (
  deps: Pick<ApplicationDeps, 'cipher' | 'totp' | 'clock'>,
  userId: string,
  enrolment: Enrolment | null,
  code: string,
): Promise<TotpCheck> => {
  if (enrolment === null) return { valid: false, timeStep: null };
  const secret = deps.cipher.decrypt(
    enrolment.secret,
    totpSecretAssociatedData(userId, enrolment.enrollmentId),
  );
  return deps.totp.check(secret, code, deps.clock.now());
};
