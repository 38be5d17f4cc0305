import { afterAll, describe, expect, it } from 'vitest';
import { generationPrefix } from '../../../src/adapters/redis/generations.ts';
import { RedisReadModels } from '../../../src/adapters/redis/redis-read-models.ts';
import { projectionVersion } from '../../../src/application/projections/documents.ts';
import { judgeOrigin } from '../../../src/application/projections/origin-verdict.ts';
import { userAccountStream } from '../../../src/domain/user-account/events.ts';
import { userSecurityStream } from '../../../src/domain/user-security/events.ts';
import { readModelsContract } from '../../contracts/read-models.contract.ts';
import { RecordedEvents } from '../../support/domain-events.ts';
import { findTestRedis, noRedisReason, privateRedis } from '../../support/redis.ts';

const server = await findTestRedis();
if (server === null) {
  console.warn(`Redis read models contract ${noRedisReason}`);
  describe('ReadModels contract: Redis', () => it.skip(noRedisReason, () => {}));
} else {
  afterAll(() => server.stop());
  readModelsContract(`Redis (${server.source})`, async () => {
    const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models');
    return {
      readModels: new RedisReadModels(redis, { prefix }),
      dispose: cleanup,
    };
  });

  describe('Redis read models written before TOTP parameters', () => {
    it('read an enrolment stored without parameters as SHA1/6/30', async () => {
      const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models-old');
      try {
        const readModels = new RedisReadModels(redis, { prefix });
        const events = new RecordedEvents();
        const stream = userSecurityStream('u-old');
        const story = [
          events.record(userAccountStream('u-old'), {
            type: 'UserRegistered',
            data: { userId: 'u-old', officeId: 'o1', username: 'old', role: 'member', passwordHash: '$h' },
          }),
          events.record(stream, {
            type: 'TotpEnrollmentStarted',
            data: {
              userId: 'u-old',
              enrollmentId: 'e1',
              secret: { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' },
              startedAt: '2026-11-26T10:00:00.000Z',
              expiresAt: '2026-11-26T10:10:00.000Z',
            },
          }),
          events.record(stream, {
            type: 'TotpEnrolled',
            data: {
              userId: 'u-old',
              enrollmentId: 'e1',
              enrolledAt: '2026-11-26T10:01:00.000Z',
              acceptedStep: 5,
            },
          }),
        ];
        // A set serves only once built from a store and promoted (see "Where the read models came from").
        const build = await readModels.startBuild('test-store', 0);
        expect(await build.applyBatch(story, 0)).toBe('applied');
        expect(await build.promote()).toBe(true);
        const key = `${generationPrefix(prefix, 1)}user:u-old`;
        const { totpParameters: _dropped, ...before } = JSON.parse((await redis.get(key)) ?? '{}');
        await redis.set(key, JSON.stringify(before));
        expect((await readModels.loginByUserId('u-old'))?.user.totpParameters).toEqual({
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
        });
      } finally {
        await cleanup();
      }
    });
  });

  describe('Redis read models built before projection versions', () => {
    it('count as version 1, so the origin check rejects them for a rebuild', async () => {
      const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models-version');
      try {
        const readModels = new RedisReadModels(redis, { prefix });
        const build = await readModels.startBuild('test-store', 0);
        expect(await build.promote()).toBe(true);
        const origin = await readModels.origin();
        expect(origin).toMatchObject({ serving: true, projection: projectionVersion });
        await redis.del(`${generationPrefix(prefix, Number(origin?.setId))}projection`);
        expect(await readModels.origin()).toMatchObject({ serving: true, projection: 1 });
        const store = { storeId: async () => 'test-store', headPosition: async () => 0 };
        expect(await judgeOrigin(() => readModels.origin(), store)).toMatchObject({
          ok: false,
          problem: 'old-projection',
        });
      } finally {
        await cleanup();
      }
    });
  });
}
