import type { UserRole } from '../../domain/shared/actor.ts';

export type Session = {
  userId: string;
  officeId: string;
  role: UserRole;
  username: string;
  createdAt: string;
};

/**
 * A half-finished login: the password was right, a second factor or an enrolment is still owed. A
 * `freeze` token is kept the same way (single-use, with a TTL) but only ever freezes the account.
 */
export type LoginChallenge = {
  userId: string;
  kind: 'second-factor' | 'enrollment' | 'freeze';
  createdAt: string;
};

/** Sessions and login challenges, kept only under the digest of their token, with a TTL. */
export interface SessionStore {
  /** Stores a session and returns its opaque token. */
  createSession(session: Session, ttlSeconds: number): Promise<string>;
  /** The live session for a token, or null. */
  getSession(token: string): Promise<Session | null>;
  /** Ends one session. */
  revokeSession(token: string): Promise<void>;
  /** Ends every session of a user except, optionally, the one with `exceptToken`. */
  revokeUserSessions(userId: string, exceptToken?: string): Promise<void>;
  /** Stores a challenge and returns its opaque token. */
  createChallenge(challenge: LoginChallenge, ttlSeconds: number): Promise<string>;
  /** The live challenge for a token, or null; does not use it up. */
  getChallenge(token: string): Promise<LoginChallenge | null>;
  /** Uses a challenge up: of any number of concurrent callers, exactly one gets it. */
  consumeChallenge(token: string): Promise<LoginChallenge | null>;
  /**
   * Uses a challenge up and stores a session in one step (a login's last): of any number of concurrent
   * callers, exactly one gets the session's token; the others, and any caller after, get null and
   * store nothing.
   */
  consumeChallengeForSession(
    challengeToken: string,
    session: Session,
    ttlSeconds: number,
  ): Promise<string | null>;
  /** Reachability for /readyz. */
  ping(): Promise<void>;
}
