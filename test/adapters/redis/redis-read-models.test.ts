import { describe, it } from 'vitest';
import { RedisReadModels } from '../../../src/adapters/redis/redis-read-models.ts';
import { readModelsContract } from '../../contracts/read-models.contract.ts';
import { findTestRedis, noRedisReason, privateRedis } from '../../support/redis.ts';

const server = await findTestRedis();
if (server === null) {
  console.warn(`Redis read models contract ${noRedisReason}`);
  describe('ReadModels contract: Redis', () => it.skip(noRedisReason, () => {}));
} else {
  readModelsContract(`Redis (${server.source})`, async () => {
    const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models');
    return {
      readModels: new RedisReadModels(redis, { prefix }),
      dispose: async () => {
        await cleanup();
        await server.stop();
      },
    };
  });
}
