import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeysWithPrefix } from '../../src/adapters/redis/connect-redis.ts';
import { httpClient } from '../support/http-client.ts';
import { findTestRedis, noRedisReason } from '../support/redis.ts';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';
import { codeAt } from '../support/totp-codes.ts';

const apiKey = 'origin-platform-key-0123456789abcdef0123456';
const password = 'origin password 1';
const server = await findTestRedis();
if (server === null) console.warn(`Read-model origin tests with Redis ${noRedisReason}`);

const modes = [
  { name: 'embedded', redis: false },
  ...(server === null ? [] : [{ name: 'Redis', redis: true }]),
];

/** The files a backup holds: the events, the data keys and the generated keyring (never the read models). */
const backupFiles = ['events.sqlite', 'data-keys.sqlite', 'secret-keys'];

describe.each(modes)('read models that prove where they came from ($name)', ({ redis }) => {
  const dirs: string[] = [];
  const running: ServiceProcess[] = [];
  const prefix = `origin:${process.pid}:${Date.now()}:${redis ? 'r' : 'e'}:`;
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-origin-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string, until: 'ready' | 'listening' = 'ready') => {
    const service = await startServiceProcess(
      {
        DATA_DIR: dataDir,
        PLATFORM_API_KEY: apiKey,
        LOG_LEVEL: 'silent',
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '100000',
        ...(redis ? { REDIS_URL: server!.url, REDIS_KEY_PREFIX: prefix } : {}),
      },
      { until },
    );
    running.push(service);
    return { service, api: httpClient(service.url) };
  };
  const stop = async (service: ServiceProcess) => {
    await service.kill('SIGTERM');
    running.splice(running.indexOf(service), 1);
  };
  /** Polls `probe` until /readyz says ready; every answer in between goes through `check`. */
  const untilReady = async (url: string, probe: () => Promise<void>) => {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      await probe();
      if ((await fetch(`${url}/readyz`)).status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('never ready');
  };
  const registerOffice = async (api: ReturnType<typeof httpClient>, name: string) =>
    (await api.post('/v1/platform/offices', { name }, { apiKey })).body.officeId as string;
  const registerUser = async (
    api: ReturnType<typeof httpClient>,
    officeId: string,
    username: string,
    role = 'member',
  ) => {
    const reply = await api.post('/v1/platform/users', { officeId, username, password, role }, { apiKey });
    expect(reply.status).toBe(201);
    return reply.body.userId as string;
  };
  const requirements = (api: ReturnType<typeof httpClient>, userId: string) =>
    api.get(`/v1/platform/users/${userId}/login-requirements`, { apiKey });
  const login = (api: ReturnType<typeof httpClient>, username: string) =>
    api.post('/v1/login', { username, password });
  const rebuilding = (reply: { status: number; body: Record<string, unknown> }) =>
    reply.status === 503 && reply.body.code === 'read-models-rebuilding';

  afterAll(async () => {
    await Promise.all(running.map((service) => service.kill()));
    if (redis) {
      const client = await connectRedis(server!.url);
      await deleteKeysWithPrefix(client, prefix);
      client.disconnect();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('(1) a new, empty store under the old read models: its users are known at once, the old store’s never', async () => {
    const old = await start(tempDir());
    const oldOffice = await registerOffice(old.api, 'Old office');
    const oldUser = await registerUser(old.api, oldOffice, 'old.user');
    expect((await requirements(old.api, oldUser)).status).toBe(200);
    await stop(old.service);

    const fresh = await start(tempDir(), 'listening');
    const answers: string[] = [];
    await untilReady(fresh.service.url, async () => {
      const asked = await requirements(fresh.api, oldUser);
      const loggedIn = await login(fresh.api, 'old.user');
      answers.push(`${asked.status} ${loggedIn.status}`);
      // Never an answer from the old store's read models: unknown, or not serving yet.
      expect(asked.status === 404 || rebuilding(asked)).toBe(true);
      expect(loggedIn.status === 401 || rebuilding(loggedIn)).toBe(true);
    });
    expect(answers.length).toBeGreaterThan(0);
    const office = await registerOffice(fresh.api, 'New office');
    const user = await registerUser(fresh.api, office, 'new.user');
    expect((await requirements(fresh.api, user)).body).toEqual({ secondFactor: 'none' });
    expect((await login(fresh.api, 'new.user')).body.status).toBe('authenticated');
    expect((await requirements(fresh.api, oldUser)).status).toBe(404);
    expect((await login(fresh.api, 'old.user')).status).toBe(401);
    await stop(fresh.service);
  }, 90_000);

  it('(2)(3) a restored older backup under newer read models: every answer is the restored store’s, and new events apply', async () => {
    const dataDir = tempDir();
    let { service, api } = await start(dataDir);
    const office = await registerOffice(api, 'Restored office');
    await registerUser(api, office, 'ada.admin', 'office-admin');
    const eve = await registerUser(api, office, 'eve');
    const uma = await registerUser(api, office, 'uma');
    await stop(service);
    const backup = tempDir();
    for (const file of backupFiles) cpSync(join(dataDir, file), join(backup, file));

    // After the backup: require 2FA, enrol eve, lift the requirement.
    ({ service, api } = await start(dataDir));
    const adminSession = (await login(api, 'ada.admin')).body.session as string;
    const eveSession = (await login(api, 'eve')).body.session as string;
    const policyPath = `/v1/offices/${office}/two-factor-policy`;
    const setPolicy = async (required: boolean) => {
      const policy = await api.get(policyPath, { token: adminSession });
      const reply = await api.put(
        policyPath,
        { required },
        { token: adminSession, headers: { 'if-match': policy.headers.get('etag') ?? '' } },
      );
      expect(reply.status).toBe(200);
    };
    await setPolicy(true);
    const started = await api.post('/v1/me/two-factor/enrollment', { password }, { token: eveSession });
    const confirmed = await api.post(
      '/v1/me/two-factor/enrollment/confirm',
      { enrollmentId: started.body.enrollmentId, code: codeAt(started.body.secret as string, -1) },
      { token: eveSession },
    );
    expect(confirmed.status).toBe(200);
    await setPolicy(false);
    expect((await requirements(api, eve)).body).toEqual({ secondFactor: 'required' });
    await stop(service);

    // Restore the events and keys only: the read models (Redis, or the embedded file) stay newer.
    for (const file of backupFiles) rmSync(join(dataDir, file), { force: true });
    for (const suffix of ['-wal', '-shm'])
      for (const file of backupFiles) rmSync(join(dataDir, `${file}${suffix}`), { force: true });
    for (const file of backupFiles) cpSync(join(backup, file), join(dataDir, file));

    ({ service, api } = await start(dataDir, 'listening'));
    await untilReady(service.url, async () => {
      const asked = await requirements(api, eve);
      const loggedIn = await login(api, 'eve');
      // The restored store never saw eve enrol: no code may be asked from the newer read models.
      expect(rebuilding(asked) || (asked.status === 200 && asked.body.secondFactor === 'none')).toBe(true);
      expect(rebuilding(loggedIn) || loggedIn.body.status === 'authenticated').toBe(true);
    });
    expect((await requirements(api, eve)).body).toEqual({ secondFactor: 'none' });
    expect((await requirements(api, uma)).body).toEqual({ secondFactor: 'none' });
    expect((await login(api, 'eve')).body.status).toBe('authenticated');
    const admin = (await login(api, 'ada.admin')).body.session as string;
    const policy = await api.get(policyPath, { token: admin });
    expect(policy.body).toMatchObject({ required: false });
    expect(policy.headers.get('etag')).toBe('"0"');

    // Events after the restore are applied: the requirement the admin sets now holds at once.
    const required = await api.put(
      policyPath,
      { required: true },
      { token: admin, headers: { 'if-match': policy.headers.get('etag') ?? '' } },
    );
    expect(required.status).toBe(200);
    expect((await api.get(policyPath, { token: admin })).body).toMatchObject({ required: true });
    expect((await requirements(api, uma)).body).toEqual({ secondFactor: 'enrollment-required' });
    expect((await login(api, 'uma')).body.status).toBe('enrollment-required');
    await stop(service);
  }, 120_000);
});
