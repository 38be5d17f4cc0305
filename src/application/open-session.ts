import type { ApplicationDeps } from './dependencies.ts';
import type { UserLoginView } from './ports/read-models.ts';
import type { Session } from './ports/session-store.ts';

export type OpenedSession = { token: string; user: Session };

type SessionUser = Pick<UserLoginView, 'userId' | 'officeId' | 'role' | 'username'>;

const sessionOf = (user: SessionUser, now: Date): Session => ({
  userId: user.userId,
  officeId: user.officeId,
  role: user.role,
  username: user.username,
  createdAt: now.toISOString(),
});

/** Starts a session for a user whose login is complete. */
export const openSession = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'settings'>,
  user: SessionUser,
  now: Date,
): Promise<OpenedSession> => {
  const session = sessionOf(user, now);
  return {
    token: await deps.sessions.createSession(session, deps.settings.sessionTtlSeconds),
    user: session,
  };
};

/** Uses the login's challenge up and starts the session in one step; null if the challenge was used already. */
export const openSessionUsingChallenge = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'settings'>,
  user: SessionUser,
  now: Date,
  challenge: string,
): Promise<OpenedSession | null> => {
  const session = sessionOf(user, now);
  const token = await deps.sessions.consumeChallengeForSession(
    challenge,
    session,
    deps.settings.sessionTtlSeconds,
  );
  return token === null ? null : { token, user: session };
};
