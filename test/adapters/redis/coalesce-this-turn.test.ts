import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalesceThisTurn } from '../../../src/adapters/redis/connect-redis.ts';
import { countSocketWrites, findTestRedis, noRedisReason, privateRedis } from '../../support/redis.ts';

const server = await findTestRedis();

/** Sends one GET from each of `keys.length` callbacks of one turn of the event loop, as requests do. */
const getFromSeparateCallbacks = (redis: Redis, keys: string[], coalesce: boolean) =>
  Promise.all(
    keys.map(
      (key) =>
        new Promise<string | null>((resolve, reject) =>
          setImmediate(() => {
            if (coalesce) coalesceThisTurn(redis);
            redis.get(key).then(resolve, reject);
          }),
        ),
    ),
  );

if (server === null) {
  console.warn(`coalesceThisTurn ${noRedisReason}`);
  describe('coalesceThisTurn', () => it.skip(noRedisReason, () => {}));
} else {
  describe('coalesceThisTurn', () => {
    let redis: Redis;
    let prefix: string;
    let cleanup: () => Promise<void>;
    const keys = Array.from({ length: 10 }, (_, index) => `key-${index}`);

    beforeAll(async () => {
      ({ redis, prefix, cleanup } = await privateRedis(server.url, 'coalesce'));
      for (const [index, key] of keys.entries()) await redis.set(`${prefix}${key}`, `value-${index}`);
    });
    afterAll(async () => {
      await cleanup();
      await server.stop();
    });

    it('sends the commands of one turn in one write, each reply reaching its own command', async () => {
      const writes = countSocketWrites(redis);
      const replies = await getFromSeparateCallbacks(
        redis,
        keys.map((key) => `${prefix}${key}`),
        true,
      );
      expect(replies).toEqual(keys.map((_, index) => `value-${index}`));
      expect(writes.count()).toBe(1);
    });

    it('without it, each callback of the turn writes on its own', async () => {
      const writes = countSocketWrites(redis);
      await getFromSeparateCallbacks(
        redis,
        keys.map((key) => `${prefix}${key}`),
        false,
      );
      expect(writes.count()).toBe(keys.length);
    });

    it('leaves the socket uncorked after the turn, so a later command is sent at once', async () => {
      coalesceThisTurn(redis);
      await redis.ping();
      expect(redis.stream.writableCorked).toBe(0);
      const writes = countSocketWrites(redis);
      await redis.get(`${prefix}${keys[0]}`);
      expect(writes.count()).toBe(1);
    });
  });
}
