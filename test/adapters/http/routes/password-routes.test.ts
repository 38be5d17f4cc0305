import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt, waitForStepWithAtLeast } from '../../../support/totp-codes.ts';
import {
  expectInvalidRequest,
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

const newPassword = 'a brand new passphrase';

describe('password routes', () => {
  let t: RouteTestService;
  let officeId: string;
  let webhook: Server;
  const notifications: { type: string; userId?: string; details?: Record<string, unknown> }[] = [];
  let users = 0;
  const fresh = (prefix: string) => `${prefix}-${++users}`;

  const signedIn = async (prefix: string) => {
    const username = fresh(prefix);
    const userId = await t.createUser(officeId, username);
    return { username, userId, token: await t.signIn(username) };
  };
  const loginStatus = async (username: string, pass: string) =>
    (await t.call('POST', '/v1/login', { body: { username, password: pass } })).statusCode;
  const stillSignedIn = async (token: string) => (await t.call('GET', '/v1/me', { token })).statusCode;
  const change = (token: string, body: Record<string, unknown>) =>
    t.call('PUT', '/v1/me/password', { token, body });

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        notifications.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    }).listen(0, '127.0.0.1');
    await once(webhook, 'listening');
    const { port } = webhook.address() as AddressInfo;
    t = await startRouteTestService({
      WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      WEBHOOK_SECRET: 'password-routes-webhook-secret',
    });
    officeId = await t.createOffice('Password office');
    await waitForStepWithAtLeast(15);
  });
  afterAll(async () => {
    await t?.stop();
    webhook?.close();
  });

  describe('PUT /v1/me/password', () => {
    it('changes the password: the next login needs the new one, other sessions end, this one stays', async () => {
      const { username, userId, token } = await signedIn('changer');
      const other = await t.signIn(username);
      const reply = await change(token, { currentPassword: password, newPassword });
      expect(reply.statusCode, reply.body).toBe(204);
      expect(await loginStatus(username, password)).toBe(401);
      expect(await loginStatus(username, newPassword)).toBe(200);
      expect(await stillSignedIn(other)).toBe(401);
      expect(await stillSignedIn(token)).toBe(200);
      await expect
        .poll(() => notifications.find((n) => n.userId === userId))
        .toMatchObject({
          type: 'password-changed',
          details: { by: 'user' },
        });
    });

    it('records PasswordChanged on the account stream with the new hash sealed, never in plain text', async () => {
      const { userId, token } = await signedIn('sealed');
      expect((await change(token, { currentPassword: password, newPassword })).statusCode).toBe(204);
      const store = new DatabaseSync(join(t.dataDir, 'events.sqlite'), { readOnly: true });
      const rows = store
        .prepare("SELECT data FROM events WHERE stream_id = ? AND type = 'PasswordChanged'")
        .all(`user-${userId}`) as { data: string }[];
      store.close();
      expect(rows).toHaveLength(1);
      const data = JSON.parse(rows[0]!.data) as { passwordHash: Record<string, string> };
      expect(Object.keys(data.passwordHash).sort()).toEqual(['ciphertext', 'iv', 'keyId', 'tag']);
      expect(rows[0]!.data).not.toContain('argon2id');
    });

    it('refuses a wrong current password with 401 invalid-password and changes nothing', async () => {
      const { username, token } = await signedIn('wrong-current');
      expectProblem(
        await change(token, { currentPassword: 'not my password', newPassword }),
        401,
        'invalid-password',
      );
      expect(await loginStatus(username, password)).toBe(200);
    });

    it('refuses too short, too long and common new passwords with 400 and a code of each', async () => {
      const { token } = await signedIn('weak');
      for (const [weak, code] of [
        ['short1!', 'password-too-short'],
        ['x'.repeat(129), 'password-too-long'],
        ['password1', 'password-too-common'],
        ['Qwertyuiop', 'password-too-common'],
      ] as const)
        expectProblem(await change(token, { currentPassword: password, newPassword: weak }), 400, code);
      // Eight characters counted as people count them: four emoji are four characters, not eight.
      expectProblem(
        await change(token, { currentPassword: password, newPassword: '😀😀😀😀' }),
        400,
        'password-too-short',
      );
    });

    it('asks an enrolled user for a fresh code: none 401 code-required, wrong 401 invalid-code, right 204', async () => {
      const { token, secret } = await t.enrolledUser(officeId, fresh('enrolled'));
      expectProblem(await change(token, { currentPassword: password, newPassword }), 401, 'code-required');
      expectProblem(
        await change(token, { currentPassword: password, newPassword, code: codeAt(secret, 10) }),
        401,
        'invalid-code',
      );
      const code = codeAt(secret);
      const reply = await change(token, { currentPassword: password, newPassword, code });
      expect(reply.statusCode, reply.body).toBe(204);
      // The code was used up like a login code.
      expectProblem(
        await change(token, { currentPassword: newPassword, newPassword: password, code }),
        401,
        'invalid-code',
      );
    });

    it('answers 401 without a session and 400 to a malformed body', async () => {
      expectProblem(
        await t.call('PUT', '/v1/me/password', { body: { currentPassword: password, newPassword } }),
        401,
        'unauthenticated',
      );
      const { token } = await signedIn('malformed');
      expectInvalidRequest(await change(token, { newPassword }));
      expectInvalidRequest(await change(token, { currentPassword: password, newPassword, extra: 1 }));
    });
  });

  describe('PUT /v1/platform/users/{id}/password', () => {
    it('sets the password after the platform reset it: every session ends, audited as the platform', async () => {
      const { username, userId, token } = await signedIn('reset-by-platform');
      const reply = await t.platform('PUT', `/v1/platform/users/${userId}/password`, {
        password: newPassword,
      });
      expect(reply.statusCode, reply.body).toBe(204);
      expect(await stillSignedIn(token)).toBe(401);
      expect(await loginStatus(username, password)).toBe(401);
      expect(await loginStatus(username, newPassword)).toBe(200);

      await t.createUser(officeId, fresh('auditor'), 'auditor');
      const auditor = await t.signIn(`auditor-${users}`);
      const audit = await t.call('GET', `/v1/audit/events?userId=${userId}&type=PasswordChanged`, {
        token: auditor,
      });
      const items = (audit.json() as { items: { actor: { role: string }; data: object }[] }).items;
      expect(items).toHaveLength(1);
      expect(items[0]!.actor.role).toBe('platform');
      expect(JSON.stringify(items[0]!.data)).not.toContain('passwordHash');
      await expect
        .poll(() => notifications.find((n) => n.userId === userId))
        .toMatchObject({
          type: 'password-changed',
          details: { by: 'platform' },
        });
    });

    it('answers 404 for an unknown user, 400 for a weak password, 401 without the key', async () => {
      expectProblem(
        await t.platform('PUT', '/v1/platform/users/nobody-here/password', { password: newPassword }),
        404,
        'user-not-found',
      );
      const { userId } = await signedIn('platform-weak');
      expectProblem(
        await t.platform('PUT', `/v1/platform/users/${userId}/password`, { password: '12345678' }),
        400,
        'password-too-common',
      );
      expectProblem(
        await t.call('PUT', `/v1/platform/users/${userId}/password`, { body: { password: newPassword } }),
        401,
        'unauthenticated',
      );
      expectInvalidRequest(await t.platform('PUT', `/v1/platform/users/${userId}/password`, {}));
    });
  });

  it('user creation applies the same password rules', async () => {
    for (const [weak, code] of [
      ['short', 'password-too-short'],
      ['iloveyou', 'password-too-common'],
    ] as const)
      expectProblem(
        await t.platform('POST', '/v1/platform/users', {
          officeId,
          username: fresh('weak-new'),
          password: weak,
          role: 'member',
        }),
        400,
        code,
      );
  });
});
