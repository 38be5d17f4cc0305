import type { ApplicationDeps } from './dependencies.ts';
import { openPersonalText } from './open-personal-text.ts';
import { passwordHashAssociatedData } from './ports/personal-data-vault.ts';
import type { UserLoginView } from './ports/read-models.ts';

/** A new password's argon2id hash, sealed with the user's data key like every stored hash. */
export const sealedPasswordHash = async (
  deps: Pick<ApplicationDeps, 'vault' | 'passwords'>,
  userId: string,
  password: string,
) => deps.vault.seal(userId, await deps.passwords.hash(password), passwordHashAssociatedData(userId));

/**
 * Checks a password against the user's hash. The read models keep the hash sealed as the event has it
 * (a copy of Redis holds no hash to crack offline); it is opened only here, for the check.
 */
export const passwordMatches = async (
  deps: Pick<ApplicationDeps, 'vault' | 'passwords'>,
  user: Pick<UserLoginView, 'userId' | 'passwordHash'>,
  password: string,
): Promise<boolean> => {
  const hash = await openPersonalText(
    deps.vault,
    user.userId,
    user.passwordHash,
    passwordHashAssociatedData(user.userId),
  );
  if (hash !== null) return deps.passwords.verify(hash, password);
  // Erased since the lookup: refused after the same work as a wrong password.
  await deps.passwords.verifyAgainstDummy(password);
  return false;
};
