import { reenrollmentDue, reenrollmentOverdue } from '../domain/office/compliance.ts';
import type { OfficePolicyView, UserLoginView } from './ports/read-models.ts';

/**
 * What a user's next login must include.
 * - `required`: enrolled (or holding a temporary access code from support), so a code is asked.
 * - `reenrollment-required`: the office's re-enrolment campaign reached its deadline and the user's
 *   enrolment is older than the campaign: a code from the old authenticator (or a recovery code, or
 *   support's temporary access code) is asked first, and then the user must enrol; no session before.
 * - `enrollment-required`: the office requires 2FA (deadline passed or none) and the user has none.
 * - `enrollment-recommended`: the office requires 2FA from a future deadline; until then no code.
 * - `none`: nothing beyond the password.
 */
export type SecondFactorRequirement =
  | 'none'
  | 'required'
  | 'reenrollment-required'
  | 'enrollment-required'
  | 'enrollment-recommended';

export const secondFactorRequirement = (
  user: Pick<UserLoginView, 'twoFactor' | 'temporaryAccessUntil' | 'enrolledAt'>,
  office: Pick<OfficePolicyView, 'required' | 'enforceFrom' | 'reenrollment'> | null,
  now: Date,
): SecondFactorRequirement => {
  if (overdueForReenrollment(user, office, now)) return 'reenrollment-required';
  if (user.twoFactor === 'enrolled' || hasTemporaryAccess(user, now)) return 'required';
  if (!office?.required) return 'none';
  if (office.enforceFrom !== null && now < new Date(office.enforceFrom)) return 'enrollment-recommended';
  return 'enrollment-required';
};

/**
 * The user's enrolment is older than the office's campaign, whose deadline is at or before `now`: the old
 * authenticator still proves who is logging in, but no longer opens a session or skips the code.
 */
export const overdueForReenrollment = (
  user: Pick<UserLoginView, 'twoFactor' | 'enrolledAt'>,
  office: Pick<OfficePolicyView, 'reenrollment'> | null,
  now: Date,
): boolean =>
  user.twoFactor === 'enrolled' &&
  reenrollmentOverdue(user.enrolledAt, office?.reenrollment ?? null, now.toISOString());

/** An open temporary access: asked for in place of the code, then the user enrols a new authenticator. */
export const hasTemporaryAccess = (user: Pick<UserLoginView, 'temporaryAccessUntil'>, now: Date): boolean =>
  typeof user.temporaryAccessUntil === 'string' && now < new Date(user.temporaryAccessUntil);

/** The deadline by which this user must enrol a new authenticator (a campaign, before its deadline), or null. */
export const reenrollmentDeadline = (
  user: Pick<UserLoginView, 'twoFactor' | 'enrolledAt'>,
  office: Pick<OfficePolicyView, 'reenrollment'> | null,
): string | null => {
  const campaign = office?.reenrollment ?? null;
  return user.twoFactor === 'enrolled' && reenrollmentDue(user.enrolledAt, campaign)
    ? campaign.deadline
    : null;
};
