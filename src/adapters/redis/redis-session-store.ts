import { createHash } from 'node:crypto';
import { ReadModelUnavailableError } from '../../application/ports/read-models.ts';
import type { LoginChallenge, Session, SessionStore } from '../../application/ports/session-store.ts';
import type { Tokens } from '../../application/ports/tokens.ts';
import { LuaScript, type RedisClient } from './connect-redis.ts';

/**
 * KEYS[1]: user index key; ARGV: session key prefix (same hash tag), kept digest (or ''). Deletes the
 * user's other sessions.
 */
const revokeOthers = new LuaScript(`
local digests = redis.call('SMEMBERS', KEYS[1])
for _, digest in ipairs(digests) do
  if digest ~= ARGV[2] then
    redis.call('DEL', ARGV[1] .. digest)
    redis.call('SREM', KEYS[1], digest)
  end
end
return #digests
`);

/**
 * KEYS: challenge, session, user index (one hash tag); ARGV: session JSON, TTL, session digest. Uses the
 * challenge up and stores the session with its index entry, or does nothing when the challenge is gone.
 */
const consumeIntoSession = new LuaScript(`
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
`);

/** Length of the routing tag that starts every session token (hex of the user id's SHA-256). */
const tagLength = 4;
const hexTag = /^[0-9a-f]{4}$/;

/** The hash tag shared by one user's sessions and session index: 16 bits of the user id's SHA-256. */
const userTag = (userId: string): string =>
  createHash('sha256').update(userId).digest('hex').slice(0, tagLength);

/**
 * Sessions and challenges shared by every instance; Redis expires them, GETDEL uses a challenge up once.
 * A user's sessions and their index share the hash tag `{s:<tag>}` so that creating and revoking stay
 * atomic on a Cluster; a session token starts with that tag (then the random token), which is how a
 * lookup by token alone finds the slot.
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly tokens: Tokens;

  constructor(redis: RedisClient, prefix: string, tokens: Tokens) {
    this.redis = redis;
    this.prefix = prefix;
    this.tokens = tokens;
  }

  async createSession(session: Session, ttlSeconds: number): Promise<string> {
    const tag = userTag(session.userId);
    const token = `${tag}${this.tokens.issue()}`;
    const digest = this.tokens.digest(token);
    const index = this.userIndex(session.userId);
    await this.guard(() =>
      this.redis
        .multi()
        .set(this.sessionKey(tag, digest), JSON.stringify(session), 'EX', ttlSeconds)
        .sadd(index, digest)
        .expire(index, ttlSeconds)
        .exec(),
    );
    return token;
  }

  async getSession(token: string): Promise<Session | null> {
    const key = this.sessionKeyOf(token);
    if (key === null) return null;
    const json = await this.guard(() => this.redis.get(key));
    return json === null ? null : (JSON.parse(json) as Session);
  }

  async revokeSession(token: string): Promise<void> {
    const key = this.sessionKeyOf(token);
    if (key !== null) await this.guard(() => this.redis.del(key));
  }

  async revokeUserSessions(userId: string, exceptToken?: string): Promise<void> {
    const kept = exceptToken === undefined ? '' : this.tokens.digest(exceptToken);
    await this.guard(() =>
      revokeOthers.run(this.redis, [this.userIndex(userId)], [this.sessionKey(userTag(userId), ''), kept]),
    );
  }

  /** A challenge token starts with its user's tag too: its key shares the slot of the user's sessions. */
  async createChallenge(challenge: LoginChallenge, ttlSeconds: number): Promise<string> {
    const tag = userTag(challenge.userId);
    const token = `${tag}${this.tokens.issue()}`;
    const key = this.challengeKey(tag, this.tokens.digest(token));
    await this.guard(() => this.redis.set(key, JSON.stringify(challenge), 'EX', ttlSeconds));
    return token;
  }

  async getChallenge(token: string): Promise<LoginChallenge | null> {
    const key = this.challengeKeyOf(token);
    if (key === null) return null;
    const json = await this.guard(() => this.redis.get(key));
    return json === null ? null : (JSON.parse(json) as LoginChallenge);
  }

  async consumeChallenge(token: string): Promise<LoginChallenge | null> {
    const key = this.challengeKeyOf(token);
    if (key === null) return null;
    const json = await this.guard(() => this.redis.getdel(key));
    return json === null ? null : (JSON.parse(json) as LoginChallenge);
  }

  /** One round trip: the challenge, the session and the user's session index share one hash tag. */
  async consumeChallengeForSession(
    challengeToken: string,
    session: Session,
    ttlSeconds: number,
  ): Promise<string | null> {
    const challengeKey = this.challengeKeyOf(challengeToken);
    const tag = userTag(session.userId);
    if (challengeKey === null || challengeToken.slice(0, tagLength) !== tag) return null;
    const token = `${tag}${this.tokens.issue()}`;
    const digest = this.tokens.digest(token);
    const consumed = await this.guard(() =>
      consumeIntoSession.run(
        this.redis,
        [challengeKey, this.sessionKey(tag, digest), this.userIndex(session.userId)],
        [JSON.stringify(session), ttlSeconds, digest],
      ),
    );
    return consumed === 1 ? token : null;
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  private sessionKey(tag: string, digest: string): string {
    return `${this.prefix}{s:${tag}}:session:${digest}`;
  }

  /** The key a session token would be stored under, or null if the token cannot be one of ours. */
  private sessionKeyOf(token: string): string | null {
    const tag = token.slice(0, tagLength);
    return hexTag.test(tag) ? this.sessionKey(tag, this.tokens.digest(token)) : null;
  }

  private challengeKey(tag: string, digest: string): string {
    return `${this.prefix}{s:${tag}}:challenge:${digest}`;
  }

  /** The key a challenge token would be stored under, or null if the token cannot be one of ours. */
  private challengeKeyOf(token: string): string | null {
    const tag = token.slice(0, tagLength);
    return hexTag.test(tag) ? this.challengeKey(tag, this.tokens.digest(token)) : null;
  }

  private userIndex(userId: string): string {
    return `${this.prefix}{s:${userTag(userId)}}:user-sessions:${userId}`;
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new ReadModelUnavailableError('The session store (Redis) cannot be reached.', { cause: error });
    }
  }
}
