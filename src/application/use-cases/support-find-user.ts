import { normalizeUsername } from '../../domain/user-account/username-events.ts';
import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { hasTemporaryAccess } from '../login-requirement.ts';

/** Support looks a user up by the username they give on the phone. */
export const findUserForSupport =
  (deps: Pick<ApplicationDeps, 'readModels' | 'clock'>) => async (username: string) => {
    const lookup = await deps.readModels.loginByUsername(normalizeUsername(username));
    if (lookup === null) throw new ApplicationError('not-found', 'No user with that username.');
    const { user, office } = lookup;
    return {
      userId: user.userId,
      username: user.username,
      officeId: user.officeId,
      role: user.role,
      twoFactor: user.twoFactor,
      enrolledAt: user.enrolledAt,
      lockedUntil: user.lockedUntil,
      officeRequiresTwoFactor: office?.required ?? false,
      frozen: user.frozen === true,
      temporaryAccessUntil: hasTemporaryAccess(user, deps.clock.now())
        ? (user.temporaryAccessUntil ?? null)
        : null,
    };
  };
