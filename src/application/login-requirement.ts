import type { OfficePolicyView, UserLoginView } from './ports/read-models.ts';

/**
 * What a user's next login must include.
 * - `required`: enrolled, so a code is asked.
 * - `enrollment-required`: the office requires 2FA (deadline passed or none) and the user has none.
 * - `enrollment-recommended`: the office requires 2FA from a future deadline; until then no code.
 * - `none`: nothing beyond the password.
 */
export type SecondFactorRequirement = 'none' | 'required' | 'enrollment-required' | 'enrollment-recommended';

export const secondFactorRequirement = (
  user: Pick<UserLoginView, 'twoFactor'>,
  office: Pick<OfficePolicyView, 'required' | 'enforceFrom'> | null,
  now: Date,
): SecondFactorRequirement => {
  if (user.twoFactor === 'enrolled') return 'required';
  if (!office?.required) return 'none';
  if (office.enforceFrom !== null && now < new Date(office.enforceFrom)) return 'enrollment-recommended';
  return 'enrollment-required';
};
