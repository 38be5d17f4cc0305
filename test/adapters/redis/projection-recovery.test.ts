import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.ts';
import { currentGeneration, dumpGeneration } from '../../../src/adapters/redis/generations.ts';
import { RedisReadModels } from '../../../src/adapters/redis/redis-read-models.ts';
import { Projector } from '../../../src/application/projector.ts';
import { rebuildRedisReadModels } from '../../../src/cli/rebuild-read-models.ts';
import { untilServing } from '../../support/read-models.ts';
import { findTestRedis, noRedisReason, privateRedis } from '../../support/redis.ts';
import { appendStory } from '../../support/story-events.ts';
import { memoryVault } from '../../support/vault.ts';

const silent = { info: () => {}, error: () => {} };
const server = await findTestRedis();
if (server === null) console.warn(`Redis projection recovery tests ${noRedisReason}`);

const caughtUp = (readModels: RedisReadModels, head: number) => untilServing(readModels, head);
const dumpCurrent = async (redis: Parameters<typeof currentGeneration>[0], prefix: string) =>
  dumpGeneration(redis, prefix, await currentGeneration(redis, prefix));

describe.skipIf(server === null)(
  'S18 Redis read models: resume from checkpoint, idempotent, identical rebuild',
  () => {
    const store = new MemoryEventStore();
    let head = 0;
    let redisOf: Awaited<ReturnType<typeof privateRedis>>;

    beforeAll(async () => {
      await appendStory(store, 4, 1500);
      head = await store.headPosition();
      redisOf = await privateRedis(server!.url, 'projection-recovery');
    });
    afterAll(async () => {
      await redisOf?.cleanup();
      await server?.stop();
    });

    it('resumes from its checkpoint after the projector is stopped midway, ending where one pass ends', async () => {
      const { redis, prefix } = redisOf;
      const interrupted = new RedisReadModels(redis, { prefix: `${prefix}resume:` });
      const first = new Projector(store, interrupted, silent);
      first.start();
      while (first.status().checkpoint < head / 3) await new Promise((resolve) => setTimeout(resolve, 5));
      await first.stop();
      // Stopped during the first build: nothing serves yet, the build resumes where it stopped.
      expect((await interrupted.origin())?.serving ?? false).toBe(false);
      const stoppedAt = await (await interrupted.unfinishedBuild())?.checkpoint();
      expect(stoppedAt).toBeGreaterThan(0);
      expect(stoppedAt).toBeLessThan(head);

      const second = new Projector(store, interrupted, silent);
      second.start();
      await caughtUp(interrupted, head);
      await second.stop();

      const straight = new RedisReadModels(redis, { prefix: `${prefix}straight:` });
      const once = new Projector(store, straight, silent);
      once.start();
      await caughtUp(straight, head);
      await once.stop();
      expect(await dumpCurrent(redis, `${prefix}resume:`)).toEqual(
        await dumpCurrent(redis, `${prefix}straight:`),
      );
    }, 60_000);

    it('lets two projectors run at once without applying any event twice', async () => {
      const { redis, prefix } = redisOf;
      const shared = new RedisReadModels(redis, { prefix: `${prefix}pair:` });
      const projectors = [new Projector(store, shared, silent), new Projector(store, shared, silent)];
      for (const projector of projectors) projector.start();
      await caughtUp(shared, head);
      await Promise.all(projectors.map((projector) => projector.stop()));
      expect(await dumpCurrent(redis, `${prefix}pair:`)).toEqual(
        await dumpCurrent(redis, `${prefix}straight:`),
      );
    }, 60_000);

    it('rebuilds into a fresh generation identical to the live projection and switches to it', async () => {
      const { redis, prefix } = redisOf;
      const live = `${prefix}straight:`;
      const serving = await currentGeneration(redis, live);
      const before = await dumpGeneration(redis, live, serving);
      const outcome = await rebuildRedisReadModels(store, redis, live, memoryVault());
      expect(outcome).toMatchObject({
        applied: head,
        generation: serving + 1,
        replaced: serving,
        promoted: true,
      });
      expect(await currentGeneration(redis, live)).toBe(serving + 1);
      expect(await dumpGeneration(redis, live, serving + 1)).toEqual(before);
      expect(await dumpGeneration(redis, live, serving)).toEqual({});
      const readers = new RedisReadModels(redis, { prefix: live });
      expect((await readers.loginByUsername('user0.0'))?.user.twoFactor).toBe('enrolled');
    });

    it('keeps a running projector going after a rebuild switched generations under it', async () => {
      const { redis, prefix } = redisOf;
      const live = `${prefix}switch:`;
      const readModels = new RedisReadModels(redis, { prefix: live });
      const projector = new Projector(store, readModels, silent);
      projector.start();
      await caughtUp(readModels, head);
      await rebuildRedisReadModels(store, redis, live, memoryVault());
      await appendStory(store, 1, 2);
      const newHead = await store.headPosition();
      await caughtUp(readModels, newHead);
      await projector.stop();
      expect(await readModels.officePolicy('office-0')).toMatchObject({ required: true });
      expect(await readModels.checkpoint()).toBe(newHead);
    });
  },
);
