import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { reenrollmentDeadline } from '../login-requirement.ts';

export type TwoFactorStatus = {
  enabled: boolean;
  enrolledAt: string | null;
  requiredByOffice: boolean;
  enforceFrom: string | null;
  canDisable: boolean;
  recoveryCodesLeft: number;
  /** Set while the office's re-enrolment campaign asks for a new authenticator by then. */
  reenrollmentDeadline: string | null;
};

/** A user's own 2FA settings as the security page shows them. */
export const twoFactorStatus =
  (deps: Pick<ApplicationDeps, 'readModels'>) =>
  async (userId: string): Promise<TwoFactorStatus> => {
    const lookup = await deps.readModels.loginByUserId(userId);
    if (lookup === null) throw new ApplicationError('not-found', 'No such user.');
    const { user, office } = lookup;
    const enabled = user.twoFactor === 'enrolled';
    const requiredByOffice = office?.required ?? false;
    return {
      enabled,
      enrolledAt: user.enrolledAt,
      requiredByOffice,
      enforceFrom: office?.enforceFrom ?? null,
      canDisable: enabled && !requiredByOffice,
      recoveryCodesLeft: enabled ? user.recoveryCodesLeft : 0,
      reenrollmentDeadline: reenrollmentDeadline(user, office),
    };
  };
