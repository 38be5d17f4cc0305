import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * A connection that fails fast instead of queueing while Redis is away, so callers can fail closed
 * (503) rather than hang; it keeps reconnecting in the background.
 */
export const connectRedis = async (url: string): Promise<Redis> => {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  redis.on('error', () => {
    // Reported through the failing commands and /readyz; without a listener ioredis would crash us.
  });
  await redis.connect();
  return redis;
};

/** A Lua script run by its SHA, loaded on first use and again after a Redis restart. */
export class LuaScript {
  private readonly source: string;
  private readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 0, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, 0, ...args);
    }
  }
}

/** Deletes every key that starts with `prefix`, in batches, without blocking Redis. */
export const deleteKeysWithPrefix = async (redis: Redis, prefix: string): Promise<number> => {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix.replaceAll(/[*?[\]\\]/g, '\\$&')}*`,
      'COUNT',
      500,
    );
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
};
