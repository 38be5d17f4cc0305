import { normalizeUsername } from '../../../domain/user-account/username-events.ts';
import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { reenrollmentDeadline, secondFactorRequirement } from '../../login-requirement.ts';
import { type OpenedSession, openSession } from '../../open-session.ts';
import { passwordMatches, unknownUserStandIn } from '../../password-check.ts';
import type { LoginLookup } from '../../ports/read-models.ts';
import { trustOffered } from '../../trusted-browsers/trusted-browser-check.ts';

export type PasswordLoginInput = { username: string; password: string };

export type PasswordLoginResult =
  | { status: 'authenticated'; session: OpenedSession; enrollmentDeadline: string | null }
  | {
      status: 'second-factor-required';
      challenge: string;
      userId: string;
      /** Days the form may offer "trust this browser" for; 0: not offered. */
      trustBrowserDays: number;
      /** Set while the office's re-enrolment campaign asks this user for a new authenticator by then. */
      reenrollmentDeadline: string | null;
    }
  | { status: 'enrollment-required'; challenge: string; userId: string };

export const accountFrozen = () =>
  new ApplicationError('account-frozen', 'The account is frozen; contact support to lift the freeze.');

const invalidCredentials = () => new ApplicationError('invalid-credentials', 'Invalid username or password.');

/**
 * The first step of a login: the password. An unknown username is checked against a stand-in user's
 * sealed hash, so it does the work of a wrong password (one read-model lookup, one data key lookup and
 * opening, one argon2id verification) and gets the same answer. What follows depends on the user's
 * enrolment and office policy.
 */
export const passwordStep = (
  deps: Pick<
    ApplicationDeps,
    'readModels' | 'passwords' | 'vault' | 'ids' | 'sessions' | 'clock' | 'settings'
  >,
) => {
  const standIn = unknownUserStandIn(deps);
  return async (input: PasswordLoginInput): Promise<PasswordLoginResult> => {
    const lookup = await deps.readModels.loginByUsername(normalizeUsername(input.username));
    const matches = await passwordMatches(deps, lookup?.user ?? (await standIn()), input.password);
    if (lookup === null || !matches) throw invalidCredentials();
    // Only after the right password: a guesser learns nothing about a freeze.
    if (lookup.user.frozen === true) throw accountFrozen();
    return afterPassword(deps, lookup);
  };
};

const afterPassword = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'clock' | 'settings'>,
  lookup: LoginLookup,
): Promise<PasswordLoginResult> => {
  const { user, office } = lookup;
  const now = deps.clock.now();
  const requirement = secondFactorRequirement(user, office, now);
  if (requirement === 'enrollment-required') {
    const challenge = await newChallenge(deps, user.userId, 'enrollment', now);
    return { status: 'enrollment-required', challenge, userId: user.userId };
  }
  if (requirement === 'required' || requirement === 'reenrollment-required') {
    // Overdue under a campaign: the old code is still asked (the password alone never enrols), but the
    // code step then sends the user to enrol, so there is no browser to trust.
    const overdue = requirement === 'reenrollment-required';
    return {
      status: 'second-factor-required',
      challenge: await newChallenge(deps, user.userId, 'second-factor', now),
      userId: user.userId,
      trustBrowserDays: overdue ? 0 : trustOffered(lookup),
      reenrollmentDeadline: reenrollmentDeadline(user, office),
    };
  }
  const enrollmentDeadline = requirement === 'enrollment-recommended' ? (office?.enforceFrom ?? null) : null;
  return { status: 'authenticated', session: await openSession(deps, user, now), enrollmentDeadline };
};

const newChallenge = (
  deps: Pick<ApplicationDeps, 'sessions' | 'settings'>,
  userId: string,
  kind: 'second-factor' | 'enrollment',
  now: Date,
) =>
  deps.sessions.createChallenge(
    { userId, kind, createdAt: now.toISOString() },
    deps.settings.challengeTtlSeconds,
  );
