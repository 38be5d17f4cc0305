import type { ApplicationDeps } from './dependencies.ts';
import { openPersonalText } from './open-personal-text.ts';
import { passwordHashAssociatedData } from './ports/personal-data-vault.ts';
import type { UserLoginView } from './ports/read-models.ts';

type PasswordHolder = Pick<UserLoginView, 'userId' | 'passwordHash'>;

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
  user: PasswordHolder,
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

/**
 * The subject whose data key seals the stand-in's password hash. User ids are random v4 UUIDs, so no
 * user has the nil UUID. Its key is kept (and re-wrapped) like a user's.
 */
export const unknownUserStandInId = '00000000-0000-0000-0000-000000000000';

/**
 * What an unknown username is checked against, so that it costs what a wrong password costs: the hash of
 * a random password, made by the same hasher at the same cost, sealed under a data key of its own. Made
 * once (per process, on first use); a failure is retried at the next call.
 */
export const unknownUserStandIn = (deps: Pick<ApplicationDeps, 'vault' | 'passwords' | 'ids'>) => {
  let standIn: Promise<PasswordHolder> | undefined;
  const make = async (): Promise<PasswordHolder> => {
    const hash = await deps.passwords.hash(`${deps.ids.next()}${deps.ids.next()}`);
    const passwordHash = await deps.vault.seal(
      unknownUserStandInId,
      hash,
      passwordHashAssociatedData(unknownUserStandInId),
    );
    return { userId: unknownUserStandInId, passwordHash };
  };
  return (): Promise<PasswordHolder> => {
    standIn ??= make().catch((error: unknown) => {
      standIn = undefined;
      throw error;
    });
    return standIn;
  };
};
