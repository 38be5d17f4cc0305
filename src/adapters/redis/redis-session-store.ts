import type { Redis } from 'ioredis';
import { ReadModelUnavailableError } from '../../application/ports/read-models.ts';
import type { LoginChallenge, Session, SessionStore } from '../../application/ports/session-store.ts';
import type { Tokens } from '../../application/ports/tokens.ts';
import { LuaScript } from './connect-redis.ts';

/** ARGV: session key prefix, user index key, kept digest (or ''). Deletes the user's other sessions. */
const revokeOthers = new LuaScript(`
local digests = redis.call('SMEMBERS', ARGV[2])
for _, digest in ipairs(digests) do
  if digest ~= ARGV[3] then
    redis.call('DEL', ARGV[1] .. digest)
    redis.call('SREM', ARGV[2], digest)
  end
end
return #digests
`);

/** Sessions and challenges shared by every instance; Redis expires them, GETDEL uses a challenge up once. */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly tokens: Tokens;

  constructor(redis: Redis, prefix: string, tokens: Tokens) {
    this.redis = redis;
    this.prefix = prefix;
    this.tokens = tokens;
  }

  async createSession(session: Session, ttlSeconds: number): Promise<string> {
    const token = this.tokens.issue();
    const digest = this.tokens.digest(token);
    const index = this.userIndex(session.userId);
    await this.guard(() =>
      this.redis
        .multi()
        .set(this.sessionKey(digest), JSON.stringify(session), 'EX', ttlSeconds)
        .sadd(index, digest)
        .expire(index, ttlSeconds)
        .exec(),
    );
    return token;
  }

  async getSession(token: string): Promise<Session | null> {
    const json = await this.guard(() => this.redis.get(this.sessionKey(this.tokens.digest(token))));
    return json === null ? null : (JSON.parse(json) as Session);
  }

  async revokeSession(token: string): Promise<void> {
    await this.guard(() => this.redis.del(this.sessionKey(this.tokens.digest(token))));
  }

  async revokeUserSessions(userId: string, exceptToken?: string): Promise<void> {
    const kept = exceptToken === undefined ? '' : this.tokens.digest(exceptToken);
    await this.guard(() => revokeOthers.run(this.redis, [this.sessionKey(''), this.userIndex(userId), kept]));
  }

  async createChallenge(challenge: LoginChallenge, ttlSeconds: number): Promise<string> {
    const token = this.tokens.issue();
    const key = this.challengeKey(this.tokens.digest(token));
    await this.guard(() => this.redis.set(key, JSON.stringify(challenge), 'EX', ttlSeconds));
    return token;
  }

  async getChallenge(token: string): Promise<LoginChallenge | null> {
    const json = await this.guard(() => this.redis.get(this.challengeKey(this.tokens.digest(token))));
    return json === null ? null : (JSON.parse(json) as LoginChallenge);
  }

  async consumeChallenge(token: string): Promise<LoginChallenge | null> {
    const json = await this.guard(() => this.redis.getdel(this.challengeKey(this.tokens.digest(token))));
    return json === null ? null : (JSON.parse(json) as LoginChallenge);
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  private sessionKey(digest: string): string {
    return `${this.prefix}session:${digest}`;
  }

  private challengeKey(digest: string): string {
    return `${this.prefix}challenge:${digest}`;
  }

  private userIndex(userId: string): string {
    return `${this.prefix}user-sessions:${userId}`;
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new ReadModelUnavailableError('The session store (Redis) cannot be reached.', { cause: error });
    }
  }
}
