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
    return { secondFactor: platformAnswer[requirement] };
  };

/**
 * Fail-closed: an overdue user's old authenticator must not let a platform open a session, so the
 * platform hears `enrollment-required` (our own login asks the old code first, then enrols).
 */
const platformAnswer: Record<ReturnType<typeof secondFactorRequirement>, PlatformLoginRequirement> = {
  none: 'none',
  'enrollment-recommended': 'none',
  required: 'required',
  'reenrollment-required': 'enrollment-required',
  'enrollment-required': 'enrollment-required',
};
