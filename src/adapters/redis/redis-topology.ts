// No ioredis here: the composition root reads the settings without loading the client (embedded use).

export type RedisNode = { host: string; port: number };

/** Where Redis is: a URL, the Sentinels that know the master group `name`, or some Cluster nodes. */
export type RedisTopology =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: RedisNode[]; name: string; password?: string }
  | { kind: 'cluster'; nodes: RedisNode[]; password?: string };

/** The settings that choose a topology (the config guarantees at most one of the three is set). */
export type RedisSettings = {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: RedisNode[] | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_CLUSTER_NODES?: RedisNode[] | undefined;
  REDIS_PASSWORD?: string | undefined;
};

/** The topology the settings describe, or null when no Redis is configured (embedded deployment). */
export const redisTopology = (settings: RedisSettings): RedisTopology | null => {
  const password = settings.REDIS_PASSWORD === undefined ? {} : { password: settings.REDIS_PASSWORD };
  if (settings.REDIS_URL !== undefined) return { kind: 'standalone', url: settings.REDIS_URL };
  if (settings.REDIS_SENTINELS !== undefined) {
    if (settings.REDIS_SENTINEL_NAME === undefined)
      throw new Error('REDIS_SENTINELS needs REDIS_SENTINEL_NAME.');
    return {
      kind: 'sentinel',
      sentinels: settings.REDIS_SENTINELS,
      name: settings.REDIS_SENTINEL_NAME,
      ...password,
    };
  }
  if (settings.REDIS_CLUSTER_NODES !== undefined)
    return { kind: 'cluster', nodes: settings.REDIS_CLUSTER_NODES, ...password };
  return null;
};
