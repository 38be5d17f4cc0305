import { deleteKeysWithPrefix, keysWithPrefix, type RedisClient } from './connect-redis.ts';

/**
 * Every read-model key starts with `<prefix>{rm}:`: the hash tag puts them all in one Cluster slot, so
 * one script can read the generation and then that generation's keys. Read models live under
 * `<prefix>{rm}:g<n>:`; `<prefix>{rm}:generation` holds the n that readers use.
 */
export const readModelBase = (prefix: string): string => `${prefix}{rm}:`;
export const generationKey = (prefix: string): string => `${readModelBase(prefix)}generation`;
export const generationPrefix = (prefix: string, generation: number): string =>
  `${readModelBase(prefix)}g${generation}:`;

export const currentGeneration = async (redis: RedisClient, prefix: string): Promise<number> =>
  Number((await redis.get(generationKey(prefix))) ?? '1');

/** Points readers (and running projectors) at `generation` in one SET; returns the one replaced. */
export const promoteGeneration = async (
  redis: RedisClient,
  prefix: string,
  generation: number,
): Promise<number> => Number((await redis.set(generationKey(prefix), String(generation), 'GET')) ?? '1');

export const dropGeneration = (redis: RedisClient, prefix: string, generation: number): Promise<number> =>
  deleteKeysWithPrefix(redis, generationPrefix(prefix, generation));

/**
 * Every key and value of one generation, with the generation part of the key removed (for comparing),
 * but for `target`: where a build began says nothing about what it holds.
 */
export const dumpGeneration = async (
  redis: RedisClient,
  prefix: string,
  generation: number,
): Promise<Record<string, unknown>> => {
  const base = generationPrefix(prefix, generation);
  const keys = (await keysWithPrefix(redis, base)).sort();
  const dump: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === `${base}target`) continue;
    dump[key.slice(base.length)] =
      (await redis.type(key)) === 'zset' ? await redis.zrange(key, '0', '-1') : await redis.get(key);
  }
  return dump;
};
