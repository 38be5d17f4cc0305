import type { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from './connect-redis.ts';

/** Read models live under `<prefix>g<n>:`; `<prefix>generation` holds the n that readers use. */
export const generationKey = (prefix: string): string => `${prefix}generation`;
export const generationPrefix = (prefix: string, generation: number): string => `${prefix}g${generation}:`;

export const currentGeneration = async (redis: Redis, prefix: string): Promise<number> =>
  Number((await redis.get(generationKey(prefix))) ?? '1');

/** Points readers (and running projectors) at `generation` in one SET; returns the one replaced. */
export const promoteGeneration = async (redis: Redis, prefix: string, generation: number): Promise<number> =>
  Number((await redis.set(generationKey(prefix), String(generation), 'GET')) ?? '1');

export const dropGeneration = (redis: Redis, prefix: string, generation: number): Promise<number> =>
  deleteKeysWithPrefix(redis, generationPrefix(prefix, generation));

/** Every key and value of one generation, with the generation part of the key removed (for comparing). */
export const dumpGeneration = async (
  redis: Redis,
  prefix: string,
  generation: number,
): Promise<Record<string, unknown>> => {
  const base = generationPrefix(prefix, generation);
  const keys = (await redis.keys(`${base}*`)).sort();
  const dump: Record<string, unknown> = {};
  for (const key of keys) {
    dump[key.slice(base.length)] =
      (await redis.type(key)) === 'zset' ? await redis.zrange(key, '0', '-1') : await redis.get(key);
  }
  return dump;
};
