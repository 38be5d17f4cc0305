import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  benchPassword,
  benchPasswordHash,
  makeKeyring,
  seedEventStore,
  usernameOf,
} from '../../bench/seed.ts';
import { httpClient } from '../support/http-client.ts';
import { ownRedisServer, redisServerInstalled } from '../support/own-redis-server.ts';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';

const apiKey = 'restart-platform-key-0123456789abcdef012345';
const installed = redisServerInstalled();
if (!installed) console.warn('Redis restart test SKIPPED: the redis-server binary is not installed');

/** In seeded office 0 (2FA required) user 0 is enrolled and user 1 is not; office 1 requires nothing. */
const logins = [
  { username: usernameOf(0, 0), expected: 'second-factor-required' },
  { username: usernameOf(0, 1), expected: 'enrollment-required' },
  { username: usernameOf(1, 1), expected: 'authenticated' },
];

describe.skipIf(!installed)('Redis restarted empty under a store of 100,000 events, during logins', () => {
  let redis: Awaited<ReturnType<typeof ownRedisServer>>;
  let service: ServiceProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-restart-'));
  let seededEvents = 0;

  beforeAll(async () => {
    const { keyring, secretKeys } = makeKeyring();
    const seeded = await seedEventStore(
      join(dataDir, 'events.sqlite'),
      { offices: 334, usersPerOffice: 100 },
      keyring,
      await benchPasswordHash(),
      join(dataDir, 'data-keys.sqlite'),
    );
    seededEvents = seeded.events;
    redis = await ownRedisServer();
    service = await startServiceProcess({
      DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      SECRET_KEYS: secretKeys,
      PLATFORM_API_KEY: apiKey,
      LOG_LEVEL: 'silent',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '100000',
    });
  }, 600_000);

  afterAll(async () => {
    await service?.kill();
    await redis?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 until a new generation is complete: no session for a user who needs a code, no 401 for valid credentials', async () => {
    expect(seededEvents).toBeGreaterThanOrEqual(100_000);
    const api = httpClient(service.url);
    const tally = new Map<string, number>();
    const wrong: string[] = [];
    let running = true;
    let correctSinceRestart = 0;
    let restarted = false;
    const loop = async (username: string, expected: string) => {
      while (running) {
        const reply = await api.post('/v1/login', { username, password: benchPassword });
        const outcome =
          reply.status === 200 ? String(reply.body.status) : `${reply.status} ${reply.body.code}`;
        tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
        if (reply.status === 200 && outcome !== expected) wrong.push(`${username}: ${outcome}`);
        if (reply.status !== 200 && reply.status !== 503) wrong.push(`${username}: ${outcome}`);
        if (expected !== 'authenticated' && reply.body.session !== undefined)
          wrong.push(`${username}: a session`);
        if (restarted && outcome === expected) correctSinceRestart += 1;
      }
    };
    const loops = logins.map(({ username, expected }) => loop(username, expected));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();
    restarted = true;
    const restartedAt = performance.now();
    while (correctSinceRestart < 3 * logins.length && performance.now() - restartedAt < 240_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const recoveredSeconds = (performance.now() - restartedAt) / 1000;
    running = false;
    await Promise.all(loops);
    console.info(
      `Redis restarted empty: served again after ${recoveredSeconds.toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries(tally))}`,
    );
    expect(wrong).toEqual([]);
    expect(correctSinceRestart).toBeGreaterThanOrEqual(3 * logins.length);
    expect(tally.get('503 read-models-rebuilding') ?? 0).toBeGreaterThan(0);
    expect((await api.get('/readyz')).status).toBe(200);
  }, 300_000);
});
