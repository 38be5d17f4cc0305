import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpClient } from '../support/http-client.ts';
import { ownRedisServer, redisServerInstalled } from '../support/own-redis-server.ts';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';

const apiKey = 'redis-down-platform-key-0123456789abcdef0123';
const installed = redisServerInstalled();
if (!installed) console.warn('Redis down at start-up test SKIPPED: the redis-server binary is not installed');

describe.skipIf(!installed)('an instance started while its Redis is down', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-redis-down-'));
  let redis: Awaited<ReturnType<typeof ownRedisServer>> | undefined;
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.kill();
    await redis?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps running and answers 503 problem+json (fail closed), then serves once Redis is up, without a restart', async () => {
    redis = await ownRedisServer();
    await redis.kill();
    service = await startServiceProcess(
      { DATA_DIR: dataDir, REDIS_URL: redis.url, PLATFORM_API_KEY: apiKey, LOG_LEVEL: 'silent' },
      { until: 'listening' },
    );
    const api = httpClient(service.url);
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.get('/readyz')).status).toBe(503);
    const login = await api.post('/v1/login', { username: 'nobody', password: 'any password at all' });
    expect(login.status).toBe(503);
    expect(login.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    await redis.start();
    let ready = 0;
    for (let attempt = 0; attempt < 600 && ready !== 200; attempt += 1) {
      ready = (await api.get('/readyz')).status;
      if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready).toBe(200);
    const office = await api.post('/v1/platform/offices', { name: 'After Redis came up' }, { apiKey });
    expect(office.status).toBe(201);
    const user = await api.post(
      '/v1/platform/users',
      {
        officeId: office.body.officeId,
        username: 'late-redis',
        password: 'a fine passphrase here',
        role: 'member',
      },
      { apiKey },
    );
    expect(user.status).toBe(201);
    // Answered from the read models: the projector runs too.
    const requirements = await api.get(`/v1/platform/users/${user.body.userId}/login-requirements`, {
      apiKey,
    });
    expect(requirements.status).toBe(200);
    expect(requirements.body).toEqual({ secondFactor: 'none' });
  }, 120_000);
});
