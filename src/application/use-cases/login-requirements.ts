import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { secondFactorRequirement } from '../login-requirement.ts';

export type PlatformLoginRequirement = 'none' | 'required' | 'enrollment-required';

/** For a platform that checks passwords itself: what it must ask of this user after the password. */
export const loginRequirements =
  (deps: Pick<ApplicationDeps, 'readModels' | 'clock'>) =>
  async (userId: string): Promise<{ secondFactor: PlatformLoginRequirement }> => {
    const lookup = await deps.readModels.loginByUserId(userId);
    if (lookup === null) throw new ApplicationError('not-found', 'No such user.');
    const requirement = secondFactorRequirement(lookup.user, lookup.office, deps.clock.now());
    return { secondFactor: requirement === 'enrollment-recommended' ? 'none' : requirement };
  };
