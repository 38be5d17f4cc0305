import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../application/ports/clock.ts';
import type { LoginChallenge, Session, SessionStore } from '../../application/ports/session-store.ts';
import type { Tokens } from '../../application/ports/tokens.ts';
import { openSqlite } from './open-sqlite.ts';

type FreezeRow = { user_id: string; created_at: string };

/**
 * The embedded deployment keeps sessions in memory, which a restart may forget; a freeze token sits
 * in an e-mail for a week, so it must not. This keeps `freeze` challenges, under their digest, in a
 * SQLite file of their own and hands everything else to the in-memory store.
 */
export class SessionStoreWithDurableFreezeTokens implements SessionStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<'insert' | 'find' | 'take' | 'forgetExpired', StatementSync>;
  private readonly inner: SessionStore;
  private readonly tokens: Tokens;
  private readonly clock: Clock;

  constructor(path: string, inner: SessionStore, tokens: Tokens, clock: Clock) {
    this.inner = inner;
    this.tokens = tokens;
    this.clock = clock;
    this.db = openSqlite(path, {
      journalMode: 'wal',
      connectionPragmas: ['synchronous = NORMAL'],
      migrate: (db) =>
        db.exec(`CREATE TABLE IF NOT EXISTS freeze_tokens (
          digest TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at INTEGER NOT NULL
        )`),
    });
    this.statements = {
      insert: this.db.prepare(
        'INSERT INTO freeze_tokens (digest, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ),
      find: this.db.prepare(
        'SELECT user_id, created_at FROM freeze_tokens WHERE digest = ? AND expires_at > ?',
      ),
      // One statement, so of two callers exactly one gets the row.
      take: this.db.prepare(
        'DELETE FROM freeze_tokens WHERE digest = ? AND expires_at > ? RETURNING user_id, created_at',
      ),
      forgetExpired: this.db.prepare('DELETE FROM freeze_tokens WHERE expires_at <= ?'),
    };
  }

  createSession(session: Session, ttlSeconds: number): Promise<string> {
    return this.inner.createSession(session, ttlSeconds);
  }

  getSession(token: string): Promise<Session | null> {
    return this.inner.getSession(token);
  }

  revokeSession(token: string): Promise<void> {
    return this.inner.revokeSession(token);
  }

  revokeUserSessions(userId: string, exceptToken?: string): Promise<void> {
    return this.inner.revokeUserSessions(userId, exceptToken);
  }

  async createChallenge(challenge: LoginChallenge, ttlSeconds: number): Promise<string> {
    if (challenge.kind !== 'freeze') return this.inner.createChallenge(challenge, ttlSeconds);
    const now = this.clock.now().getTime();
    this.statements.forgetExpired.run(now);
    const token = this.tokens.issue();
    this.statements.insert.run(
      this.tokens.digest(token),
      challenge.userId,
      challenge.createdAt,
      now + ttlSeconds * 1000,
    );
    return token;
  }

  async getChallenge(token: string): Promise<LoginChallenge | null> {
    const row = this.statements.find.get(this.tokens.digest(token), this.clock.now().getTime());
    return row === undefined ? this.inner.getChallenge(token) : freezeChallenge(row as FreezeRow);
  }

  async consumeChallenge(token: string): Promise<LoginChallenge | null> {
    const row = this.statements.take.get(this.tokens.digest(token), this.clock.now().getTime());
    return row === undefined ? this.inner.consumeChallenge(token) : freezeChallenge(row as FreezeRow);
  }

  /** A freeze token never becomes a session: only the in-memory login challenges do. */
  consumeChallengeForSession(challengeToken: string, session: Session, ttlSeconds: number) {
    return this.inner.consumeChallengeForSession(challengeToken, session, ttlSeconds);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

const freezeChallenge = (row: FreezeRow): LoginChallenge => ({
  userId: row.user_id,
  kind: 'freeze',
  createdAt: row.created_at,
});
