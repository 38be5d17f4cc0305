import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, keysWithPrefix } from '../../src/adapters/redis/connect-redis.ts';
import { httpClient } from '../support/http-client.ts';
import {
  redisTopologiesMissing,
  startRedisCluster,
  type TestRedisCluster,
} from '../support/redis-topologies.ts';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';

const apiKey = 'cluster-platform-key-0123456789abcdef01234567';
const password = 'cluster password 1';
const missing = redisTopologiesMissing();
if (missing !== null) console.warn(`Service on a Redis Cluster ${missing}`);

describe.skipIf(missing !== null)('the service on a 3-master Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-cluster-'));
  const prefix = `cluster-e2e:${process.pid}:`;
  let cluster: TestRedisCluster;
  let service: ServiceProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    service = await startServiceProcess({
      DATA_DIR: dataDir,
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(','),
      REDIS_KEY_PREFIX: prefix,
      PLATFORM_API_KEY: apiKey,
      SECRET_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      LOG_LEVEL: 'silent',
    });
  }, 60_000);

  afterAll(async () => {
    await service?.kill();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an office and a user through the platform API, then logs in and uses the session', async () => {
    const api = httpClient(service.url);
    const office = await api.post('/v1/platform/offices', { name: 'Cluster office' }, { apiKey });
    expect(office.status).toBe(201);
    const officeId = office.body.officeId as string;
    const user = await api.post(
      '/v1/platform/users',
      { officeId, username: 'cora', password, role: 'office-admin' },
      { apiKey },
    );
    expect(user.status).toBe(201);

    const login = await api.post('/v1/login', { username: 'cora', password });
    expect(login.status).toBe(200);
    expect(login.body.status).toBe('authenticated');
    const session = login.body.session as string;
    const policy = await api.get(`/v1/offices/${officeId}/two-factor-policy`, { token: session });
    expect(policy.status).toBe(200);
    expect(policy.body).toMatchObject({ required: false });

    // Read models, the session and the rate-limit counters all went to the Cluster.
    const redis = await connectRedis(cluster.topology);
    try {
      const keys = await keysWithPrefix(redis, prefix);
      expect(keys).toContain(`${prefix}{rm}:generation`);
      expect(keys.some((key) => /^.*\{rm\}:g\d+:checkpoint$/.test(key))).toBe(true);
      expect(keys.some((key) => key.includes(':session:'))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}rate-limit:`))).toBe(true);
      expect(keys.some((key) => key === `${prefix}projector-lease`)).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
