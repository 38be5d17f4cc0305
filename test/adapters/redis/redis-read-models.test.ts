import { afterAll, describe, expect, it } from 'vitest';
import { dumpGeneration, generationPrefix } from '../../../src/adapters/redis/generations.ts';
import { RedisReadModels } from '../../../src/adapters/redis/redis-read-models.ts';
import { projectionVersion } from '../../../src/application/projections/documents.ts';
import { judgeOrigin } from '../../../src/application/projections/origin-verdict.ts';
import { officeStream } from '../../../src/domain/office/events.ts';
import { userAccountStream } from '../../../src/domain/user-account/events.ts';
import { userSecurityStream } from '../../../src/domain/user-security/events.ts';
import { readModelsContract } from '../../contracts/read-models.contract.ts';
import { RecordedEvents } from '../../support/domain-events.ts';
import { countSocketWrites, findTestRedis, noRedisReason, privateRedis } from '../../support/redis.ts';

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

  describe('Redis read models: a batch bigger than one Redis command takes', () => {
    it('applies 2,500 registrations in three offices in one batch: every login and every member is there', async () => {
      const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models-big');
      try {
        const readModels = new RedisReadModels(redis, { prefix });
        const events = new RecordedEvents();
        const offices = ['o1', 'o2', 'o3'];
        const batch = offices.map((officeId) =>
          events.record(`office-${officeId}`, {
            type: 'OfficeRegistered',
            data: { officeId, name: officeId },
          }),
        );
        for (let n = 0; n < 2_500; n += 1) {
          const userId = `u-${n}`;
          batch.push(
            events.record(userAccountStream(userId), {
              type: 'UserRegistered',
              data: {
                userId,
                officeId: offices[Math.floor(n / 1_000)]!,
                username: `user${n}`,
                role: 'member',
                passwordHash: '$h',
              },
            }),
          );
        }
        const build = await readModels.startBuild('test-store', batch.length);
        expect(await build.applyBatch(batch, 0)).toBe('applied');
        expect(await build.promote()).toBe(true);
        for (const n of [0, 999, 1_000, 1_999, 2_000, 2_499]) {
          expect((await readModels.loginByUsername(`user${n}`))?.user.userId, `user${n}`).toBe(`u-${n}`);
        }
        const members = async (officeId: string) => {
          let count = 0;
          let after: string | null = null;
          do {
            const page = await readModels.officeMembers(officeId, { after, limit: 500 });
            count += page.items.length;
            after = page.next;
          } while (after !== null);
          return count;
        };
        expect(await Promise.all(offices.map(members))).toEqual([1_000, 1_000, 500]);
      } finally {
        await cleanup();
      }
    });
  });

  describe('Redis read models: the lookups of requests answered in one turn', () => {
    it('reach Redis in one write, each answered with its own user', async () => {
      const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models-turn');
      try {
        const readModels = new RedisReadModels(redis, { prefix });
        const events = new RecordedEvents();
        const userIds = Array.from({ length: 8 }, (_, n) => `u-${n}`);
        const batch = [
          events.record('office-o1', { type: 'OfficeRegistered', data: { officeId: 'o1', name: 'o1' } }),
          ...userIds.map((userId) =>
            events.record(userAccountStream(userId), {
              type: 'UserRegistered',
              data: {
                userId,
                officeId: 'o1',
                username: `name-${userId}`,
                role: 'member',
                passwordHash: '$h',
              },
            }),
          ),
        ];
        const build = await readModels.startBuild('test-store', batch.length);
        expect(await build.applyBatch(batch, 0)).toBe('applied');
        expect(await build.promote()).toBe(true);
        await readModels.loginByUserId('u-0');

        const writes = countSocketWrites(redis);
        // One lookup from each of as many I/O callbacks of one turn, as requests on separate connections.
        const found = await Promise.all(
          userIds.map(
            (userId) =>
              new Promise((resolve, reject) =>
                setImmediate(() => readModels.loginByUserId(userId).then(resolve, reject)),
              ),
          ),
        );
        expect(found.map((lookup) => (lookup as { user: { username: string } }).user.username)).toEqual(
          userIds.map((userId) => `name-${userId}`),
        );
        expect(writes.count()).toBe(1);
      } finally {
        await cleanup();
      }
    });
  });

  describe('Redis read models: a build started here remembers what it wrote', () => {
    it('makes the same documents batch by batch (without reading back) as in one batch (reading)', async () => {
      const events = new RecordedEvents();
      const story = [
        events.record('office-o1', { type: 'OfficeRegistered', data: { officeId: 'o1', name: 'Gent' } }),
        events.record(userAccountStream('u-1'), {
          type: 'UserRegistered',
          data: { userId: 'u-1', officeId: 'o1', username: 'one', role: 'member', passwordHash: '$h' },
        }),
        events.record('office-o1', {
          type: 'OfficeTwoFactorRequired',
          data: { officeId: 'o1', enforceFrom: null },
        }),
        events.record(userSecurityStream('u-1'), {
          type: 'TotpEnrollmentStarted',
          data: {
            userId: 'u-1',
            enrollmentId: 'e1',
            secret: { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' },
            startedAt: '2026-11-26T10:00:00.000Z',
            expiresAt: '2026-11-26T10:10:00.000Z',
          },
        }),
        events.record(userSecurityStream('u-1'), {
          type: 'TotpEnrolled',
          data: {
            userId: 'u-1',
            enrollmentId: 'e1',
            enrolledAt: '2026-11-26T10:01:00.000Z',
            acceptedStep: 5,
          },
        }),
      ];
      const documentsOf = async (batches: (typeof story)[]) => {
        const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models-own');
        try {
          const build = await new RedisReadModels(redis, { prefix }).startBuild('test-store', story.length);
          let previous = 0;
          for (const batch of batches) {
            expect(await build.applyBatch(batch, previous)).toBe('applied');
            previous = batch.at(-1)!.position;
          }
          // The first build goes into the generation after the (empty) current one.
          return await dumpGeneration(redis, prefix, 2);
        } finally {
          await cleanup();
        }
      };
      const oneByOne = await documentsOf(story.map((event) => [event]));
      expect(Object.keys(oneByOne)).toEqual(
        expect.arrayContaining(['user:u-1', 'office:o1', 'username:one', 'members:o1']),
      );
      expect(oneByOne).toEqual(await documentsOf([story]));
      expect(JSON.parse(String(oneByOne['user:u-1']))).toMatchObject({
        twoFactor: 'enrolled',
        username: 'one',
      });
      expect(JSON.parse(String(oneByOne['office:o1']))).toMatchObject({ required: true });
    });
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

  describe('Redis read models: the office of a login lookup', () => {
    it('is found from a document in any key order, and no value inside it can name another office', async () => {
      const { redis, prefix, cleanup } = await privateRedis(server.url, 'read-models-office-of');
      try {
        const readModels = new RedisReadModels(redis, { prefix });
        const events = new RecordedEvents();
        const story = [
          events.record(officeStream('o-strict'), {
            type: 'OfficeRegistered',
            data: { officeId: 'o-strict', name: 'Strict' },
          }),
          events.record(officeStream('o-strict'), {
            type: 'OfficeTwoFactorRequired',
            data: { officeId: 'o-strict', enforceFrom: '2026-12-01T00:00:00.000Z' },
          }),
          events.record(officeStream('o-lax'), {
            type: 'OfficeRegistered',
            data: { officeId: 'o-lax', name: 'Lax' },
          }),
          events.record(userAccountStream('u-1'), {
            type: 'UserRegistered',
            data: {
              userId: 'u-1',
              officeId: 'o-strict',
              username: 'ada',
              role: 'member',
              passwordHash: '$h',
            },
          }),
        ];
        const build = await readModels.startBuild('test-store', story.length);
        expect(await build.applyBatch(story, 0)).toBe('applied');
        expect(await build.promote()).toBe(true);
        const key = `${generationPrefix(prefix, 2)}user:u-1`;
        const projected = JSON.parse((await redis.get(key)) ?? '{}');
        expect(Object.keys(projected).slice(0, 2)).toEqual(['userId', 'officeId']);
        expect((await readModels.loginByUserId('u-1'))?.office).toMatchObject({
          officeId: 'o-strict',
          required: true,
        });
        // Written in another order (another version), the document is decoded instead.
        const { userId, ...rest } = projected;
        await redis.set(key, JSON.stringify({ ...rest, userId }));
        expect((await readModels.loginByUserId('u-1'))?.office).toMatchObject({
          officeId: 'o-strict',
          required: true,
        });
        // A user id that holds the start of another document stays a string: its quotes are escaped.
        await redis.set(key, JSON.stringify({ ...projected, userId: 'u-1","officeId":"o-lax' }));
        expect((await readModels.loginByUsername('ada'))?.office).toMatchObject({
          officeId: 'o-strict',
          required: true,
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
