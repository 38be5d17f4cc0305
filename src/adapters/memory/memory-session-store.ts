import type { Clock } from '../../application/ports/clock.ts';
import type { LoginChallenge, Session, SessionStore } from '../../application/ports/session-store.ts';
import type { Tokens } from '../../application/ports/tokens.ts';

type Entry<T> = { value: T; expiresAt: number };

/** Sessions in process memory (embedded deployment, tests); keyed by token digest like the Redis store. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Entry<Session>>();
  private readonly challenges = new Map<string, Entry<LoginChallenge>>();
  private readonly tokens: Tokens;
  private readonly clock: Clock;

  constructor(tokens: Tokens, clock: Clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  async createSession(session: Session, ttlSeconds: number): Promise<string> {
    return this.store(this.sessions, session, ttlSeconds);
  }

  async getSession(token: string): Promise<Session | null> {
    return this.live(this.sessions, this.tokens.digest(token));
  }

  async revokeSession(token: string): Promise<void> {
    this.sessions.delete(this.tokens.digest(token));
  }

  async revokeUserSessions(userId: string, exceptToken?: string): Promise<void> {
    const kept = exceptToken === undefined ? null : this.tokens.digest(exceptToken);
    for (const [digest, entry] of this.sessions) {
      if (entry.value.userId === userId && digest !== kept) this.sessions.delete(digest);
    }
  }

  async createChallenge(challenge: LoginChallenge, ttlSeconds: number): Promise<string> {
    return this.store(this.challenges, challenge, ttlSeconds);
  }

  async getChallenge(token: string): Promise<LoginChallenge | null> {
    return this.live(this.challenges, this.tokens.digest(token));
  }

  async consumeChallenge(token: string): Promise<LoginChallenge | null> {
    const digest = this.tokens.digest(token);
    const challenge = this.live(this.challenges, digest);
    this.challenges.delete(digest);
    return challenge;
  }

  async consumeChallengeForSession(
    challengeToken: string,
    session: Session,
    ttlSeconds: number,
  ): Promise<string | null> {
    // No await between the two: nothing else runs in between, as in the Redis store's script.
    const digest = this.tokens.digest(challengeToken);
    if (this.live(this.challenges, digest) === null) return null;
    this.challenges.delete(digest);
    return this.store(this.sessions, session, ttlSeconds);
  }

  async ping(): Promise<void> {}

  private store<T>(entries: Map<string, Entry<T>>, value: T, ttlSeconds: number): string {
    this.forgetExpired(entries);
    const token = this.tokens.issue();
    entries.set(this.tokens.digest(token), {
      value: structuredClone(value),
      expiresAt: this.clock.now().getTime() + ttlSeconds * 1000,
    });
    return token;
  }

  private live<T>(entries: Map<string, Entry<T>>, digest: string): T | null {
    const entry = entries.get(digest);
    if (entry === undefined) return null;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      entries.delete(digest);
      return null;
    }
    return structuredClone(entry.value);
  }

  private forgetExpired<T>(entries: Map<string, Entry<T>>): void {
    if (entries.size % 256 !== 0) return;
    const now = this.clock.now().getTime();
    for (const [digest, entry] of entries) if (entry.expiresAt <= now) entries.delete(digest);
  }
}
