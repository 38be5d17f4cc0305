import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { httpClient } from '../support/http-client.ts';
import { codeAt, waitForStepWithAtLeast } from '../support/totp-codes.ts';

const apiKey = 'e2e-platform-key-0123456789abcdef0123456789';
const password = 'correct horse battery staple';

const deployments = [
  { name: 'embedded (SQLite events and read models)', redisUrl: undefined },
  ...(process.env.REDIS_URL ? [{ name: 'SQLite + Redis read models', redisUrl: process.env.REDIS_URL }] : []),
];
if (!process.env.REDIS_URL)
  console.warn('e2e: REDIS_URL is not set, so the Redis deployment of the user flows is skipped');

describe.each(deployments)('user flows end to end over HTTP: $name', ({ redisUrl }) => {
  let service: RunningService;
  let dataDir: string;
  let api: ReturnType<typeof httpClient>;
  const prefix = `e2e:${process.pid}:${Date.now()}:`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-e2e-'));
    service = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        PLATFORM_API_KEY: apiKey,
        ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
      }),
    );
    api = httpClient(service.url);
  });

  afterAll(async () => {
    await service?.stop({ dropRedisKeys: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const provision = async () => {
    const office = await api.post('/v1/platform/offices', { name: 'Kantoor Gent' }, { apiKey });
    expect(office.status).toBe(201);
    const officeId = office.body.officeId as string;
    const user = async (username: string, role: string) => {
      const created = await api.post(
        '/v1/platform/users',
        { officeId, username, password, role },
        { apiKey },
      );
      expect(created.status).toBe(201);
      return created.body.userId as string;
    };
    return {
      officeId,
      alice: await user('alice', 'member'),
      bob: await user('bob', 'member'),
      admin: await user('admin', 'office-admin'),
      support: await user('support', 'support'),
      auditor: await user('auditor', 'auditor'),
    };
  };

  const loginWithPasswordOnly = async (username: string) => {
    const reply = await api.post('/v1/login', { username, password });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('authenticated');
    return reply.body.session as string;
  };

  it('walks every flow of the product', async () => {
    const ids = await provision();
    await waitForStepWithAtLeast(20);

    // 1. Alice enrols by QR code and confirms with the code her app shows.
    const aliceSession = await loginWithPasswordOnly('alice');
    const started = await api.post('/v1/me/two-factor/enrollment', { password }, { token: aliceSession });
    expect(started.status).toBe(200);
    expect(started.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect((started.body.qr as { pngDataUrl: string }).pngDataUrl).toMatch(/^data:image\/png;base64,/);
    const secret = started.body.secret as string;
    const confirmed = await api.post(
      '/v1/me/two-factor/enrollment/confirm',
      { enrollmentId: started.body.enrollmentId, code: codeAt(secret, -1) },
      { token: aliceSession },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect((await api.get('/v1/me/two-factor', { token: aliceSession })).body).toMatchObject({
      enabled: true,
      canDisable: true,
    });
    const moments: Record<string, string> = { aliceEnrolled: new Date().toISOString() };

    // 3. From then on her login asks the code; a code works once.
    const first = await api.post('/v1/login', { username: 'alice', password });
    expect(first.body).toMatchObject({ status: 'second-factor-required' });
    const code = codeAt(secret, 0);
    const finished = await api.post('/v1/login/second-factor', { challenge: first.body.challenge, code });
    expect(finished.status).toBe(200);
    expect(finished.body.status).toBe('authenticated');
    const replayed = await api.post('/v1/login', { username: 'alice', password, code });
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('invalid-code');
    expect(replayed.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // 2. The admin requires 2FA for the office: unenrolled Bob is sent to enrol and gets in by enrolling.
    const adminSession = await loginWithPasswordOnly('admin');
    const required = await api.put(
      `/v1/offices/${ids.officeId}/two-factor-policy`,
      { required: true },
      { token: adminSession },
    );
    expect(required.status).toBe(200);
    expect(required.body.required).toBe(true);
    moments.officeRequired = new Date().toISOString();
    const members = await api.get(`/v1/offices/${ids.officeId}/members?limit=2`, { token: adminSession });
    expect(members.status).toBe(200);
    expect(members.body.items).toEqual([
      expect.objectContaining({ username: 'admin', twoFactor: 'none' }),
      expect.objectContaining({ username: 'alice', twoFactor: 'enrolled' }),
    ]);
    const moreMembers = await api.get(
      `/v1/offices/${ids.officeId}/members?limit=2&after=${members.body.next as string}`,
      { token: adminSession },
    );
    expect((moreMembers.body.items as { username: string }[]).map((member) => member.username)).toEqual([
      'auditor',
      'bob',
    ]);
    const bobLogin = await api.post('/v1/login', { username: 'bob', password });
    expect(bobLogin.body).toMatchObject({ status: 'enrollment-required' });
    const challenge = bobLogin.body.challenge as string;
    const bobStarted = await api.post('/v1/me/two-factor/enrollment', { challenge });
    expect(bobStarted.status).toBe(200);
    const bobConfirmed = await api.post('/v1/me/two-factor/enrollment/confirm', {
      enrollmentId: bobStarted.body.enrollmentId,
      code: codeAt(bobStarted.body.secret as string, 0),
      challenge,
    });
    expect(bobConfirmed.status).toBe(200);
    expect(typeof bobConfirmed.body.session).toBe('string');
    expect((await api.get('/v1/me', { token: bobConfirmed.body.session as string })).body).toMatchObject({
      username: 'bob',
    });

    // 5. Alice cannot disable while the office requires 2FA; once the admin lifts it, she can.
    const aliceSession2 = finished.body.session as string;
    const refused = await api.delete('/v1/me/two-factor', { password }, { token: aliceSession2 });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('office-requires-two-factor');
    const lifted = await api.put(
      `/v1/offices/${ids.officeId}/two-factor-policy`,
      { required: false },
      { token: adminSession },
    );
    expect(lifted.body.required).toBe(false);
    expect((await api.get('/v1/me/two-factor', { token: aliceSession2 })).body).toMatchObject({
      enabled: true,
      canDisable: true,
    });
    const disabled = await api.delete(
      '/v1/me/two-factor',
      { code: codeAt(secret, 1) },
      { token: aliceSession2 },
    );
    expect(disabled.status).toBe(204);
    await loginWithPasswordOnly('alice');
    moments.aliceDisabled = new Date().toISOString();

    // 4. Bob lost his phone: support resets his 2FA; his sessions end and he logs in without a code.
    const supportSession = await loginWithPasswordOnly('support');
    const found = await api.get('/v1/support/users?username=bob', { token: supportSession });
    expect(found.body).toMatchObject({ userId: ids.bob, twoFactor: 'enrolled' });
    const reset = await api.post(
      `/v1/support/users/${ids.bob}/two-factor-reset`,
      { reason: 'Lost phone', ticket: 'SUP-1234' },
      { token: supportSession },
    );
    expect(reset.status).toBe(200);
    expect(reset.body.nextLogin).toBe('password-only');
    expect((await api.get('/v1/me', { token: bobConfirmed.body.session as string })).status).toBe(401);
    await loginWithPasswordOnly('bob');

    // The auditor reads the history from the event store and the state at the moments the test saw.
    const auditorSession = await loginWithPasswordOnly('auditor');
    const history = await api.get(`/v1/audit/events?userId=${ids.alice}&limit=100`, {
      token: auditorSession,
    });
    expect(history.status).toBe(200);
    const types = (history.body.items as { type: string }[]).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'UserRegistered',
        'TotpEnrollmentStarted',
        'TotpEnrolled',
        'SecondFactorVerified',
        'TotpDisabled',
      ]),
    );
    const auditText = JSON.stringify(history.body);
    expect(auditText).not.toContain(secret);
    expect(auditText).not.toMatch(/ciphertext|passwordHash|codeHashes|codeHash|\$argon2id/);
    const aliceAt = async (at: string) =>
      (await api.get(`/v1/audit/users/${ids.alice}/two-factor?at=${at}`, { token: auditorSession })).body;
    expect(await aliceAt(moments.aliceEnrolled!)).toMatchObject({ enabled: true });
    expect(await aliceAt(moments.aliceDisabled!)).toMatchObject({ enabled: false });
    const policyAt = async (at: string) =>
      (
        await api.get(`/v1/audit/offices/${ids.officeId}/two-factor-policy?at=${at}`, {
          token: auditorSession,
        })
      ).body;
    expect(await policyAt(moments.aliceEnrolled!)).toMatchObject({ required: false });
    expect(await policyAt(moments.officeRequired!)).toMatchObject({ required: true });
    expect(await policyAt(moments.aliceDisabled!)).toMatchObject({ required: false });
    const exported = await fetch(`${service.url}/v1/audit/events/export?officeId=${ids.officeId}`, {
      headers: { authorization: `Bearer ${auditorSession}` },
    });
    expect(exported.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.filter((event) => event.type === 'OfficeTwoFactorRequired')).toHaveLength(1);

    // The platform's own check agrees with what the logins did.
    const requirement = await api.get(`/v1/platform/users/${ids.alice}/login-requirements`, { apiKey });
    expect(requirement.body).toEqual({ secondFactor: 'none' });
  }, 90_000);
});
