import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/adapters/redis/connect-redis.ts';
import { currentGeneration, dumpGeneration, generationPrefix } from '../../src/adapters/redis/generations.ts';
import type { EventStore } from '../../src/application/ports/event-store.ts';
import type { PersonalDataVault } from '../../src/application/ports/personal-data-vault.ts';
import { rebuildRedisReadModels } from '../../src/cli/rebuild-read-models.ts';
import { httpClient } from './http-client.ts';
import type { TestRedis } from './redis.ts';
import { type ServiceProcess, startServiceProcess } from './service-process.ts';
import { codeAt, waitForStepWithAtLeast } from './totp-codes.ts';

export const scaleOutSecretKeys = `k1:${Buffer.alloc(32, 9).toString('base64')}`;
const apiKey = 'scale-out-platform-key-0123456789abcdef0123';
const password = 'scale out password';

/** The event store the instances share, as the scenario needs it. */
export type SharedStore = {
  /** What each instance is started with on top of Redis and the keys. */
  env: Record<string, string>;
  /** The store opened from outside, to compare a rebuild with what the instances projected. */
  open: () => EventStore;
  /** The data keys the instances use, opened from outside. */
  vault: () => PersonalDataVault;
  dispose?: () => Promise<void>;
};

export type WhileLoggingIn = {
  survivors: ServiceProcess[];
  officeId: string;
  apiKey: string;
  /** Password-step logins answered so far by the loop that runs through the survivors. */
  loginsAnswered: () => number;
};

const leaderOf = async (instance: ServiceProcess): Promise<boolean> => {
  const text = await fetch(`${instance.url}/metrics`).then(
    (reply) => reply.text(),
    () => '',
  );
  return /second_factor_projector_leader\{projection="read-models"\} 1/.test(text);
};

/**
 * Three instances on one Redis and one event store: they serve through every instance, survive the
 * projector leader being killed (and whatever `whileLoggingIn` does meanwhile) with no wrong login
 * answer, and project every event once (the read models equal a rebuild from the store).
 */
export const scaleOutScenario = (
  name: string,
  server: TestRedis | null,
  makeStore: (dataDir: string) => Promise<SharedStore>,
  whileLoggingIn: (context: WhileLoggingIn) => Promise<void> = async () => {},
): void => {
  describe.skipIf(server === null)(name, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-scale-'));
    const prefix = `scale:${process.pid}:${Date.now()}:`;
    let instances: ServiceProcess[] = [];
    let store: SharedStore;

    beforeAll(async () => {
      store = await makeStore(dataDir);
      const env = {
        DATA_DIR: dataDir,
        REDIS_URL: server!.url,
        REDIS_KEY_PREFIX: prefix,
        PLATFORM_API_KEY: apiKey,
        SECRET_KEYS: scaleOutSecretKeys,
        LOG_LEVEL: 'silent',
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '100000',
        ...store.env,
      };
      instances = await Promise.all([0, 1, 2].map(() => startServiceProcess(env)));
    }, 60_000);

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.kill()));
      const redis = await connectRedis(server!.url);
      for (const key of await redis.keys(`${prefix}*`)) await redis.del(key);
      redis.disconnect();
      await server?.stop();
      await store?.dispose?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves through every instance, survives the projector leader being killed, and projects every event once', async () => {
      const apis = instances.map((instance) => httpClient(instance.url));
      const [first, second, third] = apis as [
        ReturnType<typeof httpClient>,
        ReturnType<typeof httpClient>,
        ReturnType<typeof httpClient>,
      ];
      const office = await first.post('/v1/platform/offices', { name: 'Scale office' }, { apiKey });
      const officeId = office.body.officeId as string;
      for (const [index, api] of apis.entries()) {
        for (const name of [`plain${index}`, `guarded${index}`]) {
          expect(
            (
              await api.post(
                '/v1/platform/users',
                { officeId, username: name, password, role: 'member' },
                { apiKey },
              )
            ).status,
          ).toBe(201);
        }
      }
      await waitForStepWithAtLeast(15);
      for (const [index, api] of apis.entries()) {
        const session = (await api.post('/v1/login', { username: `guarded${index}`, password })).body
          .session as string;
        const started = await second.post('/v1/me/two-factor/enrollment', { password }, { token: session });
        const confirmed = await third.post(
          '/v1/me/two-factor/enrollment/confirm',
          { enrollmentId: started.body.enrollmentId, code: codeAt(started.body.secret as string, -1) },
          { token: session },
        );
        expect(confirmed.status).toBe(200);
      }

      const leaders = await Promise.all(instances.map(leaderOf));
      expect(leaders.filter(Boolean)).toHaveLength(1);
      const leaderIndex = leaders.indexOf(true);
      const survivors = instances.filter((_, index) => index !== leaderIndex);

      // Logins keep going through the survivors while the leader dies; none may be answered wrongly.
      let wrong = 0;
      let answered = 0;
      let running = true;
      const expectedStatus = (username: string) =>
        username.startsWith('plain') ? 'authenticated' : 'second-factor-required';
      const loginLoop = (async () => {
        while (running) {
          for (const survivor of survivors) {
            for (const username of ['plain0', 'guarded1', 'plain2', 'guarded0']) {
              const reply = await httpClient(survivor.url)
                .post('/v1/login', { username, password })
                .catch(() => null);
              answered += 1;
              if (reply?.status !== 200 || reply.body.status !== expectedStatus(username)) wrong += 1;
            }
          }
        }
      })();

      const killedAt = Date.now();
      await instances[leaderIndex]?.kill('SIGKILL');
      let takeoverMs = Number.POSITIVE_INFINITY;
      while (Date.now() - killedAt < 15_000) {
        if ((await Promise.all(survivors.map(leaderOf))).some(Boolean)) {
          takeoverMs = Date.now() - killedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      console.log(
        `scale-out (${name}): new projector leader after ${takeoverMs} ms; ${answered} logins during the switch, ${wrong} wrong`,
      );
      expect(takeoverMs).toBeLessThan(10_000);

      // Commands after the switch are projected by the new leader and seen at once (read-your-writes).
      const survivorApi = httpClient(survivors[0]!.url);
      const admin = await survivorApi.post(
        '/v1/platform/users',
        { officeId, username: 'late.admin', password, role: 'office-admin' },
        { apiKey },
      );
      expect(admin.status).toBe(201);
      const adminSession = (await survivorApi.post('/v1/login', { username: 'late.admin', password })).body
        .session as string;
      expect(typeof adminSession).toBe('string');
      await whileLoggingIn({ survivors, officeId, apiKey, loginsAnswered: () => answered });
      running = false;
      await loginLoop;
      expect(answered).toBeGreaterThan(0);
      expect(wrong).toBe(0);

      // What the instances projected, event by event, equals a rebuild from the store.
      const redis = await connectRedis(server!.url);
      const events = store.open();
      try {
        const head = await events.headPosition();
        for (let waited = 0; waited < 200; waited += 1) {
          const live = generationPrefix(prefix, await currentGeneration(redis, prefix));
          if (Number(await redis.get(`${live}checkpoint`)) === head) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const live = await dumpGeneration(redis, prefix, await currentGeneration(redis, prefix));
        expect(live.checkpoint).toBe(String(head));
        const rebuilt = await rebuildRedisReadModels(events, redis, `${prefix}compare:`, store.vault());
        expect(await dumpGeneration(redis, `${prefix}compare:`, rebuilt.generation)).toEqual(live);
      } finally {
        await events.close();
        redis.disconnect();
      }
    }, 180_000);
  });
};
