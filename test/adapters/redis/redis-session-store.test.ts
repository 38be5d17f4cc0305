import { describe, expect, it } from 'vitest';
import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';
import { RedisSessionStore } from '../../../src/adapters/redis/redis-session-store.ts';
import { sessionStoreContract } from '../../contracts/session-store.contract.ts';
import { findTestRedis, noRedisReason, privateRedis } from '../../support/redis.ts';

const server = await findTestRedis();
if (server === null) {
  console.warn(`Redis session store contract ${noRedisReason}`);
  describe('SessionStore contract: Redis', () => it.skip(noRedisReason, () => {}));
} else {
  sessionStoreContract(`Redis (${server.source})`, async () => {
    const { redis, prefix, cleanup } = await privateRedis(server.url, 'sessions');
    return {
      sessions: new RedisSessionStore(redis, prefix, new RandomTokens()),
      dispose: async () => {
        await cleanup();
        await server.stop();
      },
    };
  });
  describe('Redis session store keys', () => {
    it('hold a token only as its digest, never in plaintext', async () => {
      const { redis, prefix, cleanup } = await privateRedis(server.url, 'session-keys');
      try {
        const sessions = new RedisSessionStore(redis, prefix, new RandomTokens());
        const token = await sessions.createSession(
          {
            userId: 'u1',
            officeId: 'o1',
            role: 'member',
            username: 'u1',
            createdAt: '2026-11-26T10:00:00.000Z',
          },
          60,
        );
        const challenge = await sessions.createChallenge(
          { userId: 'u1', kind: 'second-factor', createdAt: '2026-11-26T10:00:00.000Z' },
          60,
        );
        const names = await redis.keys(`${prefix}*`);
        expect(names).toHaveLength(3);
        const values = await Promise.all(
          names.map((name) =>
            redis
              .type(name)
              .then((type) =>
                type === 'string' ? redis.get(name) : redis.smembers(name).then((m) => m.join()),
              ),
          ),
        );
        for (const text of [...names, ...values.map(String)]) {
          expect(text).not.toContain(token);
          expect(text).not.toContain(challenge);
        }
      } finally {
        await cleanup();
      }
    });
  });
}
