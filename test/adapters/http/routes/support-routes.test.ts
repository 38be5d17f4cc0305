import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt, waitForStepWithAtLeast } from '../../../support/totp-codes.ts';
import {
  expectInvalidRequest,
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

const reset = { reason: 'Lost phone', ticket: 'SUP-1' };

describe('support routes', () => {
  let t: RouteTestService;
  let officeId: string;
  let strictOfficeId: string;
  let support: string;
  let users = 0;
  const fresh = (prefix: string) => `${prefix}-${++users}`;
  const find = (username: string, token = support) =>
    t.call('GET', `/v1/support/users?username=${encodeURIComponent(username)}`, { token });
  const resetOf = (userId: string, body: unknown = reset, token = support) =>
    t.call('POST', `/v1/support/users/${userId}/two-factor-reset`, { body, token });

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Support office');
    strictOfficeId = await t.createOffice('Strict support office');
    await t.createUser(officeId, 'helpdesk', 'support');
    support = await t.signIn('helpdesk');
    await t.createUser(strictOfficeId, 'strict-admin', 'office-admin');
    const required = await t.call('PUT', `/v1/offices/${strictOfficeId}/two-factor-policy`, {
      body: { required: true },
      token: await t.signIn('strict-admin'),
    });
    expect(required.statusCode, required.body).toBe(200);
    await waitForStepWithAtLeast(15);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('GET /v1/support/users?username=', () => {
    it('finds a user without 2FA (200)', async () => {
      const username = fresh('plain');
      const userId = await t.createUser(officeId, username);
      const reply = await find(username);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({
        userId,
        username,
        officeId,
        role: 'member',
        twoFactor: 'none',
        enrolledAt: null,
        lockedUntil: null,
        officeRequiresTwoFactor: false,
        frozen: false,
        temporaryAccessUntil: null,
      });
    });

    it('finds an enrolled user of an office that requires 2FA (200)', async () => {
      const username = fresh('strict-enrolled');
      const userId = await t.createUser(strictOfficeId, username);
      // Held back at login, the user enrols with the challenge.
      const { challenge } = (await t.call('POST', '/v1/login', { body: { username, password } })).json() as {
        challenge: string;
      };
      const started = (
        await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } })
      ).json() as {
        enrollmentId: string;
        secret: string;
      };
      const confirmed = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: started.enrollmentId, code: codeAt(started.secret), challenge },
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      const reply = await find(username);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({
        userId,
        twoFactor: 'enrolled',
        enrolledAt: expect.any(String),
        officeRequiresTwoFactor: true,
      });
    });

    it('finds a user by username in any case (200)', async () => {
      const username = fresh('cased');
      const userId = await t.createUser(officeId, username);
      const reply = await find(username.toUpperCase());
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ userId, username });
    });

    it('shows the lock-out of a user who typed 5 wrong codes (200 with lockedUntil)', async () => {
      const username = fresh('locked');
      const { secret } = await t.enrolledUser(officeId, username);
      const challenge = (
        (await t.call('POST', '/v1/login', { body: { username, password } })).json() as {
          challenge: string;
        }
      ).challenge;
      for (let attempt = 1; attempt <= 5; attempt++)
        await t.call('POST', '/v1/login/second-factor', { body: { challenge, code: codeAt(secret, 10) } });
      const reply = await find(username);
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ twoFactor: 'enrolled', lockedUntil: expect.any(String) });
    });

    it('refuses an unknown username (404 not-found)', async () => {
      expectProblem(await find('nobody-at-all'), 404, 'not-found');
    });

    it('refuses a request without username (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await t.call('GET', '/v1/support/users', { token: support }), 'username');
    });

    it('refuses an empty username (400 invalid-request)', async () => {
      expectInvalidRequest(await find(''), 'username');
    });

    it('refuses an over-long username (400 invalid-request)', async () => {
      expectInvalidRequest(await find('u'.repeat(201)), 'username');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', '/v1/support/users?username=helpdesk'), 401, 'unauthenticated');
    });

    it('refuses a caller who is not support (403 not-permitted)', async () => {
      const username = fresh('curious');
      await t.createUser(officeId, username, 'auditor');
      expectProblem(await find('helpdesk', await t.signIn(username)), 403, 'not-permitted');
    });
  });

  describe('POST /v1/support/users/{userId}/two-factor-reset', () => {
    it("resets an enrolled user's 2FA: their sessions end and they sign in with the password (200 password-only)", async () => {
      const username = fresh('lost-phone');
      const { userId, token } = await t.enrolledUser(officeId, username);
      const reply = await resetOf(userId);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ userId, nextLogin: 'password-only' });
      expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
      expect((await find(username)).json()).toMatchObject({ twoFactor: 'none', enrolledAt: null });
      await t.signIn(username);
    });

    it('tells that a user of an office that requires 2FA must enrol again (200 enrollment-required)', async () => {
      const userId = await t.createUser(strictOfficeId, fresh('strict-reset'));
      const reply = await resetOf(userId);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ userId, nextLogin: 'enrollment-required' });
    });

    it('lifts a lock-out (200, then lockedUntil null and the right code works)', async () => {
      const username = fresh('unlock');
      const { userId, secret } = await t.enrolledUser(officeId, username);
      const challenge = (
        (await t.call('POST', '/v1/login', { body: { username, password } })).json() as {
          challenge: string;
        }
      ).challenge;
      for (let attempt = 1; attempt <= 5; attempt++)
        await t.call('POST', '/v1/login/second-factor', { body: { challenge, code: codeAt(secret, 10) } });
      expect((await find(username)).json()).toMatchObject({ lockedUntil: expect.any(String) });
      expect((await resetOf(userId)).statusCode).toBe(200);
      expect((await find(username)).json()).toMatchObject({ lockedUntil: null, twoFactor: 'none' });
    });

    it('accepts a reset of a user without 2FA (200)', async () => {
      const userId = await t.createUser(officeId, fresh('never-enrolled'));
      const reply = await resetOf(userId);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ userId, nextLogin: 'password-only' });
    });

    it('refuses an unknown user (404 not-found)', async () => {
      expectProblem(await resetOf('no-such-user'), 404, 'not-found');
    });

    it('refuses a blank reason (400 invalid-request naming it)', async () => {
      const userId = await t.createUser(officeId, fresh('blank-reason'));
      expectInvalidRequest(await resetOf(userId, { reason: '   ', ticket: 'SUP-2' }), 'reason');
    });

    it('refuses a missing ticket (400 invalid-request naming it)', async () => {
      const userId = await t.createUser(officeId, fresh('no-ticket'));
      expectInvalidRequest(await resetOf(userId, { reason: 'Lost phone' }), 'ticket');
    });

    it('refuses an over-long reason (400 invalid-request)', async () => {
      const userId = await t.createUser(officeId, fresh('long-reason'));
      expectInvalidRequest(await resetOf(userId, { reason: 'r'.repeat(1001), ticket: 'SUP-3' }), 'reason');
    });

    it('refuses unknown fields (400 invalid-request)', async () => {
      const userId = await t.createUser(officeId, fresh('extra'));
      expectProblem(await resetOf(userId, { ...reset, force: true }), 400, 'invalid-request');
    });

    it('refuses a user id with forbidden characters (400 invalid-request)', async () => {
      expectInvalidRequest(await resetOf('a%2Fb'), 'userId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      const reply = await t.call('POST', '/v1/support/users/anyone/two-factor-reset', { body: reset });
      expectProblem(reply, 401, 'unauthenticated');
    });

    it('refuses a caller who is not support (403 not-permitted)', async () => {
      const username = fresh('admin-not-support');
      await t.createUser(officeId, username, 'office-admin');
      const target = await t.createUser(officeId, fresh('target'));
      expectProblem(await resetOf(target, reset, await t.signIn(username)), 403, 'not-permitted');
    });
  });

  describe('POST /v1/support/users/{userId}/erasure', () => {
    const erasure = { reason: 'Right to erasure', ticket: 'DPO-1' };
    const eraseOf = (userId: string, body: unknown = erasure, token = support) =>
      t.call('POST', `/v1/support/users/${userId}/erasure`, { body, token });
    const auditOf = async (userId: string) => {
      const reply = await t.call('GET', `/v1/audit/events?userId=${userId}`, { token: support });
      expect(reply.statusCode, reply.body).toBe(200);
      return (reply.json() as { items: { type: string; data: Record<string, unknown> }[] }).items;
    };

    it('erases an enrolled user: sessions end, login and lookup find nobody, the audit reads [erased] (200)', async () => {
      const username = fresh('forget-me');
      const { userId, token } = await t.enrolledUser(officeId, username);
      expect((await auditOf(userId)).find((event) => event.type === 'UserRegistered')?.data.username).toBe(
        username,
      );
      const reply = await eraseOf(userId);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ userId, erasedAt: expect.any(String) });
      expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
      expectProblem(
        await t.call('POST', '/v1/login', { body: { username, password } }),
        401,
        'invalid-credentials',
      );
      expectProblem(await find(username), 404, 'not-found');
      const history = await auditOf(userId);
      const types = history.map((event) => event.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'UsernameReserved',
          'UserRegistered',
          'TotpEnrolled',
          'UserErased',
          'UsernameReleased',
        ]),
      );
      for (const event of history.filter((e) => e.type === 'UserRegistered' || e.type === 'UsernameReserved'))
        expect(event.data.username).toBe('[erased]');
      expect(JSON.stringify(history)).not.toContain(username);
      expect(history.find((event) => event.type === 'UserErased')?.data).toEqual({ userId, ...erasure });
    });

    it('frees the username for someone new (201 on registering it again)', async () => {
      const username = fresh('reused-name');
      const first = await t.createUser(officeId, username);
      expect((await eraseOf(first)).statusCode).toBe(200);
      const second = await t.createUser(officeId, username);
      expect(second).not.toBe(first);
      expect((await find(username)).json()).toMatchObject({ userId: second, username });
    });

    it('answers 200 again to a repeated erasure, recording it once', async () => {
      const userId = await t.createUser(officeId, fresh('twice'));
      expect((await eraseOf(userId)).statusCode).toBe(200);
      const again = await eraseOf(userId);
      expect(again.statusCode, again.body).toBe(200);
      expect((await auditOf(userId)).filter((event) => event.type === 'UserErased')).toHaveLength(1);
    });

    it('keeps the erased user id taken (409 on registering that id again)', async () => {
      const userId = await t.createUser(officeId, fresh('id-kept'));
      await eraseOf(userId);
      const reply = await t.platform('POST', '/v1/platform/users', {
        userId,
        officeId,
        username: fresh('new-name'),
        password,
        role: 'member',
      });
      expectProblem(reply, 409, 'user-already-registered');
    });

    it('refuses an unknown user (404 not-found)', async () => {
      expectProblem(await eraseOf('no-such-user'), 404, 'not-found');
    });

    it('refuses a blank reason or a missing ticket (400 invalid-request naming them)', async () => {
      const userId = await t.createUser(officeId, fresh('erase-blank'));
      expectInvalidRequest(await eraseOf(userId, { reason: ' ', ticket: 'DPO-2' }), 'reason');
      expectInvalidRequest(await eraseOf(userId, { reason: 'Asked to' }), 'ticket');
    });

    it('refuses unknown fields and a bad user id (400 invalid-request)', async () => {
      const userId = await t.createUser(officeId, fresh('erase-extra'));
      expectProblem(await eraseOf(userId, { ...erasure, hard: true }), 400, 'invalid-request');
      expectInvalidRequest(await eraseOf('a%2Fb'), 'userId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      const reply = await t.call('POST', '/v1/support/users/anyone/erasure', { body: erasure });
      expectProblem(reply, 401, 'unauthenticated');
    });

    it('refuses every caller who is not support, and leaves the user able to log in (403 not-permitted)', async () => {
      const target = fresh('not-erased');
      const targetId = await t.createUser(officeId, target);
      for (const role of ['member', 'office-admin', 'auditor']) {
        const username = fresh(`erase-${role}`);
        await t.createUser(officeId, username, role);
        expectProblem(await eraseOf(targetId, erasure, await t.signIn(username)), 403, 'not-permitted');
      }
      await t.signIn(target);
    });
  });
});
