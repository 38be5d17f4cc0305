import { afterAll, describe, expect, it } from 'vitest';
import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.ts';
import { RedisLease } from '../../../src/adapters/redis/redis-lease.ts';
import { RedisReadModels } from '../../../src/adapters/redis/redis-read-models.ts';
import { RedisSessionStore } from '../../../src/adapters/redis/redis-session-store.ts';
import { ReadModelUnavailableError } from '../../../src/application/ports/read-models.ts';
import { buildFromScratch } from '../../../src/application/projections/rebuild.ts';
import { readModelsContract } from '../../contracts/read-models.contract.ts';
import { sessionStoreContract } from '../../contracts/session-store.contract.ts';
import { privateRedis } from '../../support/redis.ts';
import { redisTopologiesMissing, startRedisSentinel } from '../../support/redis-topologies.ts';
import { appendStory } from '../../support/story-events.ts';

const missing = redisTopologiesMissing();
const sentinel = missing === null ? await startRedisSentinel() : null;
afterAll(async () => sentinel?.stop());

/** A connection to the test master (through the Sentinel) and a key prefix private to one suite. */
const privateSentinel = (name: string) => {
  if (sentinel === null) throw new Error('no sentinel');
  return privateRedis(sentinel.topology, name);
};

if (sentinel === null) {
  console.warn(`Redis Sentinel tests ${missing}`);
  describe('Redis Sentinel', () =>
    it.skip(missing ?? 'SKIPPED: no Redis Sentinel could be started', () => {}));
} else {
  readModelsContract('Redis behind a Sentinel', async () => {
    const { redis, prefix, cleanup } = await privateSentinel('read-models');
    return { readModels: new RedisReadModels(redis, { prefix }), dispose: cleanup };
  });

  sessionStoreContract('Redis behind a Sentinel', async () => {
    const { redis, prefix, cleanup } = await privateSentinel('sessions');
    return { sessions: new RedisSessionStore(redis, prefix, new RandomTokens()), dispose: cleanup };
  });

  // Last in this file: it kills the master the suites above used.
  describe('Redis Sentinel failover', () => {
    it('answers login lookups again after the master is killed and the replica promoted, on the same client', async () => {
      const { redis, prefix, cleanup } = await privateSentinel('failover');
      try {
        const store = new MemoryEventStore();
        await appendStory(store, 2, 5);
        const readModels = new RedisReadModels(redis, { prefix });
        const sessions = new RedisSessionStore(redis, prefix, new RandomTokens());
        await buildFromScratch(store, readModels);
        const before = await readModels.loginByUsername('user1.2');
        expect(before?.user.officeId).toBe('office-1');
        const token = await sessions.createSession(
          {
            userId: before?.user.userId ?? '',
            officeId: 'office-1',
            role: 'member',
            username: 'user1.2',
            createdAt: '2026-11-26T10:00:00.000Z',
          },
          300,
        );
        // Replication is asynchronous: make sure the replica has everything before the master dies.
        expect(await redis.wait(1, 5_000)).toBe(1);
        const oldMaster = await sentinel.masterPort();

        const newMaster = await sentinel.killMasterAndAwaitFailover();
        expect(newMaster).not.toBe(oldMaster);

        let after: Awaited<ReturnType<typeof readModels.loginByUsername>> = null;
        let failedInBetween = 0;
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
          try {
            after = await readModels.loginByUsername('user1.2');
            break;
          } catch (error) {
            expect(error).toBeInstanceOf(ReadModelUnavailableError);
            failedInBetween += 1;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
        console.info(
          `Sentinel failover: ${failedInBetween} lookups failed closed before the new master answered`,
        );
        expect(after).toEqual(before);
        expect(await readModels.checkpoint()).toBe(await store.headPosition());
        expect((await sessions.getSession(token))?.username).toBe('user1.2');
        // Writes and scripts reach the promoted master too.
        const fresh = await sessions.createSession(
          {
            userId: 'u-new',
            officeId: 'o',
            role: 'member',
            username: 'n',
            createdAt: '2026-11-26T10:00:00.000Z',
          },
          60,
        );
        expect(await sessions.getSession(fresh)).not.toBeNull();
        const lease = new RedisLease(redis, { key: `${prefix}lease`, holder: 'me', ttlMs: 5_000 });
        expect(await lease.acquireOrRenew()).toBe(true);
      } finally {
        await cleanup();
      }
    }, 60_000);
  });
}
