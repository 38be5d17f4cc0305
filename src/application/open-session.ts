import type { ApplicationDeps } from './dependencies.ts';
import type { UserLoginView } from './ports/read-models.ts';
import type { Session } from './ports/session-store.ts';

export type OpenedSession = { token: string; user: Session };

/** Starts a session for a user whose login is complete. */
export const openSession = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'settings'>,
  user: Pick<UserLoginView, 'userId' | 'officeId' | 'role' | 'username'>,
  now: Date,
): Promise<OpenedSession> => {
  const session: Session = {
    userId: user.userId,
    officeId: user.officeId,
    role: user.role,
    username: user.username,
    createdAt: now.toISOString(),
  };
  return {
    token: await deps.sessions.createSession(session, deps.settings.sessionTtlSeconds),
    user: session,
  };
};
