import { createHash } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTopology } from './redis-topology.ts';

/** One Redis, a Sentinel-managed master, or a Cluster: every adapter here takes any of them. */
export type RedisClient = Redis | Cluster;

/** Fail fast: short timeouts and one retry, so a caller answers 503 instead of hanging. */
const failFast = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
} satisfies RedisOptions;

const backoff = (attempt: number): number => Math.min(attempt * 100, 2_000);

const clientFor = (topology: RedisTopology): RedisClient => {
  switch (topology.kind) {
    case 'standalone':
      return new Redis(topology.url, {
        ...failFast,
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: backoff,
      });
    case 'sentinel':
      return new Redis({
        ...failFast,
        sentinels: topology.sentinels,
        name: topology.name,
        ...(topology.password === undefined ? {} : { password: topology.password }),
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: backoff,
        sentinelRetryStrategy: backoff,
        // Follow a failover as soon as a Sentinel announces it, not only when the old master fails.
        failoverDetector: true,
      });
    case 'cluster':
      return new Cluster(topology.nodes, {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: backoff,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        slotsRefreshTimeout: 2_000,
        redisOptions: {
          ...failFast,
          ...(topology.password === undefined ? {} : { password: topology.password }),
        },
      });
  }
};

/**
 * A connection that fails fast instead of queueing while Redis is away, so callers can fail closed
 * (503) rather than hang; it keeps reconnecting in the background. A string is a standalone URL.
 */
export async function connectRedis(url: string): Promise<Redis>;
export async function connectRedis(topology: RedisTopology): Promise<RedisClient>;
export async function connectRedis(topology: RedisTopology | string): Promise<RedisClient> {
  const redis = clientFor(typeof topology === 'string' ? { kind: 'standalone', url: topology } : topology);
  redis.on('error', () => {
    // Reported through the failing commands and /readyz; without a listener ioredis would crash us.
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

/**
 * The service's connection: as connectRedis, but a Redis that is down when the service starts does not
 * stop it. Every call fails fast meanwhile (503, fail closed) and the client reconnects in the background,
 * as after an outage; `onFirstConnectFailed` hears why the first attempt failed.
 */
export const connectRedisInBackground = (
  topology: RedisTopology,
  onFirstConnectFailed: (error: unknown) => void,
): RedisClient => {
  const redis = clientFor(topology);
  redis.on('error', () => {
    // Reported through the failing commands and /readyz; without a listener ioredis would crash us.
  });
  redis.connect().catch(onFirstConnectFailed);
  return redis;
};

/**
 * Call before a command that answers a request: every command sent in the rest of this turn of the
 * event loop leaves in one write (the first call corks the socket; it is uncorked once the turn's I/O
 * callbacks have run), and Redis reads them at once. Unlike ioredis's auto-pipelining, a turn's
 * commands do not wait for the replies to the turn before. Not for a large write that should leave at
 * once (a batch of the projection). A Cluster's commands go to several sockets and are sent as they come.
 */
export const coalesceThisTurn = (redis: RedisClient): void => {
  if (!(redis instanceof Redis)) return;
  const { stream } = redis;
  if (stream === undefined || stream.writableCorked > 0) return;
  stream.cork();
  setImmediate(() => stream.uncork());
};

/**
 * A Lua script run by its SHA, loaded on first use and again after a Redis restart. `keys` must name
 * at least one key in the slot the script works in, so that a Cluster sends it to the right shard.
 */
export class LuaScript {
  private readonly source: string;
  private readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    return redis.evalsha(this.sha, keys.length, ...keys, ...args).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    });
  }
}

/** The servers that hold keys: the one Redis, or every master of a Cluster. */
const keyHolders = (redis: RedisClient): Redis[] =>
  redis instanceof Cluster ? redis.nodes('master') : [redis];

/** Every key matching `pattern` on one server, SCANned in batches without blocking it. */
async function* scanKeys(server: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

const globOf = (prefix: string): string => `${prefix.replaceAll(/[*?[\]\\]/g, '\\$&')}*`;

/** Every key that starts with `prefix`, on every server (all masters of a Cluster). */
export const keysWithPrefix = async (redis: RedisClient, prefix: string): Promise<string[]> => {
  const found: string[] = [];
  for (const server of keyHolders(redis)) {
    for await (const keys of scanKeys(server, globOf(prefix))) found.push(...keys);
  }
  return found;
};

/** Deletes every key that starts with `prefix`, in batches, without blocking Redis (each master of a Cluster). */
export const deleteKeysWithPrefix = async (redis: RedisClient, prefix: string): Promise<number> => {
  let deleted = 0;
  const cluster = redis instanceof Cluster;
  for (const server of keyHolders(redis)) {
    for await (const keys of scanKeys(server, globOf(prefix))) {
      if (!cluster) {
        deleted += await server.unlink(...keys);
        continue;
      }
      // One master holds many slots, and a multi-key UNLINK must stay within one: one UNLINK per key.
      const replies = (await server.pipeline(keys.map((key) => ['unlink', key])).exec()) ?? [];
      for (const [error, count] of replies) {
        if (error !== null) throw error;
        deleted += Number(count);
      }
    }
  }
  return deleted;
};
