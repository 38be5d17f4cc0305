import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  connectRedis,
  deleteKeysWithPrefix,
  type RedisClient,
} from '../../src/adapters/redis/connect-redis.ts';
import type { RedisTopology } from '../../src/adapters/redis/redis-topology.ts';
import { dockerEngineAnswers } from './docker.ts';

export type TestRedis = { url: string; source: string; stop: () => Promise<void> };

const localUrl = 'redis://127.0.0.1:6379';

const answers = async (url: string): Promise<boolean> => {
  try {
    const redis = await connectRedis(url);
    await redis.ping();
    redis.disconnect();
    return true;
  } catch {
    return false;
  }
};

/**
 * Redis for a test file: REDIS_URL if set, else the local server, else a testcontainer, else null with
 * the reason printed (the caller skips).
 */
export const findTestRedis = async (): Promise<TestRedis | null> => {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '')
    return { url: fromEnv, source: 'REDIS_URL', stop: async () => {} };
  if (await answers(localUrl))
    return { url: localUrl, source: 'local Redis at 127.0.0.1:6379', stop: async () => {} };
  if (await dockerEngineAnswers()) {
    const { GenericContainer } = await import('testcontainers');
    const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      source: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  return null;
};

export const noRedisReason =
  'SKIPPED: no Redis (REDIS_URL unset, nothing on 127.0.0.1:6379, no Docker engine for testcontainers)';

/** A connection plus a key prefix private to one test file; `cleanup` deletes that prefix's keys. */
export async function privateRedis(
  url: string,
  name: string,
): Promise<{ redis: Redis; prefix: string; cleanup: () => Promise<void> }>;
export async function privateRedis(
  topology: RedisTopology,
  name: string,
): Promise<{ redis: RedisClient; prefix: string; cleanup: () => Promise<void> }>;
export async function privateRedis(where: string | RedisTopology, name: string) {
  const redis = await connectRedis(typeof where === 'string' ? { kind: 'standalone', url: where } : where);
  const prefix = `test:${name}:${randomUUID()}:`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** Counts the socket writes (each one `write` or `writev` system call) the client makes from now on. */
export const countSocketWrites = (redis: Redis): { count: () => number } => {
  const stream = redis.stream as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  let writes = 0;
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  stream._write = (...args) => {
    writes += 1;
    write(...args);
  };
  stream._writev = (...args) => {
    writes += 1;
    writev(...args);
  };
  return { count: () => writes };
};
