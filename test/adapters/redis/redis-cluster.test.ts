import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.ts';
import {
  deleteKeysWithPrefix,
  keysWithPrefix,
  type RedisClient,
} from '../../../src/adapters/redis/connect-redis.ts';
import { currentGeneration, dumpGeneration } from '../../../src/adapters/redis/generations.ts';
import { RedisLease } from '../../../src/adapters/redis/redis-lease.ts';
import { RedisReadModels } from '../../../src/adapters/redis/redis-read-models.ts';
import { RedisSessionStore } from '../../../src/adapters/redis/redis-session-store.ts';
import { buildFromScratch } from '../../../src/application/projections/rebuild.ts';
import { rebuildRedisReadModels } from '../../../src/cli/rebuild-read-models.ts';
import { readModelsContract } from '../../contracts/read-models.contract.ts';
import { sessionStoreContract } from '../../contracts/session-store.contract.ts';
import { privateRedis } from '../../support/redis.ts';
import { redisTopologiesMissing, startRedisCluster } from '../../support/redis-topologies.ts';
import { appendStory } from '../../support/story-events.ts';
import { memoryVault } from '../../support/vault.ts';

const missing = redisTopologiesMissing();
const cluster = missing === null ? await startRedisCluster(3) : null;
afterAll(async () => cluster?.stop());

/** A connection to the test Cluster and a key prefix private to one suite. */
const privateCluster = (name: string) => {
  if (cluster === null) throw new Error('no cluster');
  return privateRedis(cluster.topology, name);
};

const slotOf = async (redis: RedisClient, key: string): Promise<number> =>
  Number(await redis.call('CLUSTER', 'KEYSLOT', key));

if (cluster === null) {
  console.warn(`Redis Cluster tests ${missing}`);
  describe('Redis Cluster', () => it.skip(missing ?? 'SKIPPED: no Redis Cluster could be started', () => {}));
} else {
  readModelsContract('Redis Cluster (3 masters)', async () => {
    const { redis, prefix, cleanup } = await privateCluster('read-models');
    return { readModels: new RedisReadModels(redis, { prefix }), dispose: cleanup };
  });

  sessionStoreContract('Redis Cluster (3 masters)', async () => {
    const { redis, prefix, cleanup } = await privateCluster('sessions');
    return { sessions: new RedisSessionStore(redis, prefix, new RandomTokens()), dispose: cleanup };
  });

  describe('Redis Cluster: hash tags, scripts and key scans', () => {
    const session = (userId: string) => ({
      userId,
      officeId: 'o1',
      role: 'member' as const,
      username: userId,
      createdAt: '2026-11-26T10:00:00.000Z',
    });

    it('keeps every read-model key (generation key included) in one slot', async () => {
      const { redis, prefix, cleanup } = await privateCluster('rm-slot');
      try {
        const store = new MemoryEventStore();
        await appendStory(store, 2, 5);
        const readModels = new RedisReadModels(redis, { prefix });
        await buildFromScratch(store, readModels);
        expect(await readModels.checkpoint()).toBe(await store.headPosition());
        await rebuildRedisReadModels(store, redis, prefix, memoryVault());
        const keys = await keysWithPrefix(redis, prefix);
        expect(keys).toContain(`${prefix}{rm}:generation`);
        expect(keys.length).toBeGreaterThan(10);
        const slots = new Set(await Promise.all(keys.map((key) => slotOf(redis, key))));
        expect(slots.size).toBe(1);
      } finally {
        await cleanup();
      }
    });

    it("keeps a user's sessions with their index, while users spread over slots", async () => {
      const { redis, prefix, cleanup } = await privateCluster('session-slot');
      try {
        const sessions = new RedisSessionStore(redis, prefix, new RandomTokens());
        const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
        for (const userId of users) {
          await sessions.createSession(session(userId), 60);
          await sessions.createSession(session(userId), 60);
        }
        const keys = (await keysWithPrefix(redis, prefix)).filter((key) => !key.includes('challenge'));
        expect(keys).toHaveLength(users.length * 3);
        const slotsPerUser = new Map<string, Set<number>>();
        for (const key of keys.filter((name) => name.includes(':user-sessions:'))) {
          const userId = key.slice(key.lastIndexOf(':') + 1);
          const digests = await redis.smembers(key);
          const tag = key.slice(prefix.length, key.indexOf('}') + 1);
          const own = [key, ...digests.map((digest) => `${prefix}${tag}:session:${digest}`)];
          expect(digests).toHaveLength(2);
          for (const name of own) expect(await redis.exists(name)).toBe(1);
          slotsPerUser.set(userId, new Set(await Promise.all(own.map((name) => slotOf(redis, name)))));
        }
        expect([...slotsPerUser.values()].every((slots) => slots.size === 1)).toBe(true);
        const allSlots = new Set([...slotsPerUser.values()].flatMap((slots) => [...slots]));
        expect(allSlots.size).toBeGreaterThan(1);
      } finally {
        await cleanup();
      }
    });

    it('runs the projector lease script on the shard that holds the lease key', async () => {
      const { redis, prefix, cleanup } = await privateCluster('lease');
      try {
        const key = `${prefix}projector-lease`;
        const first = new RedisLease(redis, { key, holder: 'a', ttlMs: 5_000 });
        const second = new RedisLease(redis, { key, holder: 'b', ttlMs: 5_000 });
        expect(await first.acquireOrRenew()).toBe(true);
        expect(await second.acquireOrRenew()).toBe(false);
        expect(await first.acquireOrRenew()).toBe(true);
        await first.release();
        expect(await second.acquireOrRenew()).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it('deletes keys with a prefix from every master', async () => {
      const { redis, prefix, cleanup } = await privateCluster('delete');
      try {
        for (let i = 0; i < 60; i += 1) await redis.set(`${prefix}key-${i}`, String(i));
        const holders = redis instanceof Cluster ? redis.nodes('master') : [];
        const perMaster = await Promise.all(
          holders.map(async (node) => (await node.keys(`${prefix}*`)).length),
        );
        expect(perMaster.filter((count) => count > 0).length).toBe(3);
        expect(await deleteKeysWithPrefix(redis, prefix)).toBe(60);
        expect(await keysWithPrefix(redis, prefix)).toEqual([]);
      } finally {
        await cleanup();
      }
    });

    it('rebuilds into a new generation and drops the old one on a Cluster', async () => {
      const { redis, prefix, cleanup } = await privateCluster('rebuild');
      try {
        const store = new MemoryEventStore();
        await appendStory(store, 2, 5);
        const first = await rebuildRedisReadModels(store, redis, prefix, memoryVault());
        const second = await rebuildRedisReadModels(store, redis, prefix, memoryVault());
        expect(second).toMatchObject({ generation: first.generation + 1, replaced: first.generation });
        expect(await currentGeneration(redis, prefix)).toBe(second.generation);
        expect(await dumpGeneration(redis, prefix, first.generation)).toEqual({});
        const readers = new RedisReadModels(redis, { prefix });
        expect((await readers.loginByUsername('user1.0'))?.user.officeId).toBe('office-1');
      } finally {
        await cleanup();
      }
    });
  });
}
