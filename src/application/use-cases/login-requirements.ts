import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { secondFactorRequirement } from '../login-requirement.ts';
import { accountFrozen } from './login/password-step.ts';

export type PlatformLoginRequirement = 'none' | 'required' | 'enrollment-required';

/** For a platform that checks passwords itself: what it must ask of this user after the password. */
export const loginRequirements =
  (deps: Pick<ApplicationDeps, 'readModels' | 'clock'>) =>
  async (userId: string): Promise<{ secondFactor: PlatformLoginRequirement }> => {
    const lookup = await deps.readModels.loginByUserId(userId);
    if (lookup === null) throw new ApplicationError('not-found', 'No such user.');
    // A platform checking passwords itself must refuse a frozen account as our own login does.
    if (lookup.user.frozen === true) throw accountFrozen();
    const requirement = secondFactorRequirement(lookup.user, lookup.office, deps.clock.now());
    return { secondFactor: requirement === 'enrollment-recommended' ? 'none' : requirement };
  };
