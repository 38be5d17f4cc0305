import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import type { UserLoginView } from '../../ports/read-models.ts';
import type { Session } from '../../ports/session-store.ts';

/** Enrolment is open to a signed-in user, or to a login held back by an `enrollment-required` challenge. */
export type EnrollmentAuth = { kind: 'session'; session: Session } | { kind: 'challenge'; challenge: string };

/** The user an enrolment request acts for, read from its session or its enrolment challenge. */
export const enrollingUser = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'readModels'>,
  auth: EnrollmentAuth,
): Promise<UserLoginView> => {
  const userId = auth.kind === 'session' ? auth.session.userId : await challengeUser(deps, auth.challenge);
  const lookup = await deps.readModels.loginByUserId(userId);
  if (lookup === null) throw new ApplicationError('unauthenticated', 'The account no longer exists.');
  return lookup.user;
};

const challengeUser = async (deps: Pick<ApplicationDeps, 'sessions'>, token: string): Promise<string> => {
  const challenge = await deps.sessions.getChallenge(token);
  if (challenge === null || challenge.kind !== 'enrollment') {
    throw new ApplicationError(
      'invalid-challenge',
      'The login has expired or was already finished; log in again.',
    );
  }
  return challenge.userId;
};
