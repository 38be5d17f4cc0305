import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { httpClient } from '../support/http-client.ts';
import { ownRedisServer, redisServerInstalled } from '../support/own-redis-server.ts';

const apiKey = 'outage-platform-key-0123456789abcdef01234567';
const password = 'outage password 1';
const installed = redisServerInstalled();
if (!installed) console.warn('Redis outage test SKIPPED: the redis-server binary is not installed');

describe.skipIf(!installed)(
  'S16 login when Redis goes away and comes back (fail closed, recover without restart)',
  () => {
    let redis: Awaited<ReturnType<typeof ownRedisServer>>;
    let service: RunningService;
    let dataDir: string;
    let api: ReturnType<typeof httpClient>;

    beforeAll(async () => {
      redis = await ownRedisServer();
      dataDir = mkdtempSync(join(tmpdir(), 'second-factor-outage-'));
      service = await startService(
        loadConfig({
          PORT: '0',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
          PLATFORM_API_KEY: apiKey,
          REDIS_URL: redis.url,
        }),
      );
      api = httpClient(service.url);
      const office = await api.post('/v1/platform/offices', { name: 'Outage office' }, { apiKey });
      const officeId = office.body.officeId as string;
      await api.post(
        '/v1/platform/users',
        { officeId, username: 'olga', password, role: 'office-admin' },
        { apiKey },
      );
      const login = await api.post('/v1/login', { username: 'olga', password });
      const session = login.body.session as string;
      const policy = await api.get(`/v1/offices/${officeId}/two-factor-policy`, { token: session });
      const required = await api.put(
        `/v1/offices/${officeId}/two-factor-policy`,
        { required: true },
        {
          token: session,
          headers: { 'if-match': policy.headers.get('etag') ?? '' },
        },
      );
      expect(required.status).toBe(200);
    });

    afterAll(async () => {
      await service?.stop();
      await redis?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const login = () => api.post('/v1/login', { username: 'olga', password });

    it('asks for the second factor while Redis is up', async () => {
      expect((await login()).body.status).toBe('enrollment-required');
    });

    it('answers 503 problem+json, never a session, while Redis is down', async () => {
      await redis.kill();
      const reply = await login();
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 503, code: 'read-models-unavailable' });
      expect(reply.body).not.toHaveProperty('session');
      expect((await api.get('/readyz')).status).toBe(503);
    });

    it('recovers without a restart when Redis returns empty, projecting everything again', async () => {
      await redis.start();
      let status: unknown;
      for (let attempt = 0; attempt < 100 && status !== 'enrollment-required'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await login()).body.status;
      }
      expect(status).toBe('enrollment-required');
      expect((await api.get('/readyz')).status).toBe(200);
    });
  },
);
