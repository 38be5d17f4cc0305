import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt, waitForStepWithAtLeast } from '../../../support/totp-codes.ts';
import { webhookReceiver } from '../../../support/webhook-receiver.ts';
import {
  expectInvalidRequest,
  expectProblem,
  type Json,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

const why = { reason: 'Lost phone, identity checked by call-back', ticket: 'SUP-77' };

describe('support flows: temporary access and freezes', () => {
  let t: RouteTestService;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let officeId: string;
  let support: string;
  let users = 0;
  const fresh = (prefix: string) => `${prefix}-${++users}`;
  const find = (username: string) =>
    t.call('GET', `/v1/support/users?username=${encodeURIComponent(username)}`, { token: support });
  const issue = (userId: string, body: unknown = why, token = support) =>
    t.call('POST', `/v1/support/users/${userId}/temporary-access`, { body, token });
  const end = (userId: string, body: unknown = why, token = support) =>
    t.call('POST', `/v1/support/users/${userId}/temporary-access/end`, { body, token });
  const unfreeze = (userId: string, body: unknown = why, token = support) =>
    t.call('POST', `/v1/support/users/${userId}/unfreeze`, { body, token });
  const freeze = (token: unknown) => t.call('POST', '/v1/freeze', { body: { token } });
  const login = (username: string, code?: string) =>
    t.call('POST', '/v1/login', {
      body: code === undefined ? { username, password } : { username, password, code },
    });
  const issued = async (userId: string) => {
    const reply = await issue(userId);
    expect(reply.statusCode, reply.body).toBe(201);
    return reply.json() as { userId: string; code: string; expiresAt: string };
  };
  const withRole = async (role: string) => {
    const username = fresh(`as-${role}`);
    await t.createUser(officeId, username, role);
    return t.signIn(username);
  };
  const historyOf = async (userId: string) => {
    const reply = await t.call('GET', `/v1/audit/events?userId=${userId}`, { token: support });
    expect(reply.statusCode, reply.body).toBe(200);
    return (reply.json() as { items: { type: string; data: Json; actor: Json }[] }).items;
  };
  /** A freeze token as the platform receives it, from the notification about the user's enrolment. */
  const freezeTokenOf = async (userId: string) => {
    const notification = await hooks.nth('two-factor-enrolled', userId);
    expect(notification.freezeToken).toMatch(/^[\w-]{43,}$/);
    return notification.freezeToken as string;
  };

  beforeAll(async () => {
    hooks = await webhookReceiver();
    t = await startRouteTestService({ WEBHOOK_URL: hooks.url, WEBHOOK_SECRET: 'route-tests-webhook-secret' });
    officeId = await t.createOffice('Helpdesk office');
    await t.createUser(officeId, 'desk', 'support');
    support = await t.signIn('desk');
    await waitForStepWithAtLeast(15);
  });
  afterAll(async () => {
    await t?.stop();
    await hooks?.close();
  });

  describe('POST /v1/support/users/{userId}/temporary-access', () => {
    it('issues a code shown once, ends the sessions, and the code logs in once per use until the user enrols (201)', async () => {
      const username = fresh('lost-phone');
      const { userId, token, secret, recoveryCodes } = await t.enrolledUser(officeId, username);
      const { code, expiresAt } = await issued(userId);
      expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
      expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
      expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
      expect((await find(username)).json()).toMatchObject({
        twoFactor: 'none',
        temporaryAccessUntil: expiresAt,
      });
      const platformView = await t.platform('GET', `/v1/platform/users/${userId}/login-requirements`);
      expect(platformView.json()).toEqual({ secondFactor: 'required' });
      // The lost authenticator and its recovery codes stop working.
      expectProblem(await login(username, codeAt(secret)), 401, 'invalid-code');
      const held = (await login(username)).json() as { status: string; challenge: string };
      expect(held.status).toBe('second-factor-required');
      expectProblem(
        await t.call('POST', '/v1/login/second-factor', {
          body: { challenge: held.challenge, recoveryCode: recoveryCodes[0] },
        }),
        401,
        'invalid-code',
      );
      // In place of the code, in either step, and more than once: each time the user is sent to enrol.
      const viaSecondStep = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge: held.challenge, code },
      });
      expect(viaSecondStep.statusCode, viaSecondStep.body).toBe(200);
      expect(viaSecondStep.json()).toMatchObject({ status: 'enrollment-required' });
      const viaForm = await login(username, code.toUpperCase());
      expect(viaForm.statusCode, viaForm.body).toBe(200);
      const { status, challenge } = viaForm.json() as { status: string; challenge: string };
      expect(status).toBe('enrollment-required');
      const started = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } });
      expect(started.statusCode, started.body).toBe(200);
      const fresh2 = started.json() as { enrollmentId: string; secret: string };
      const confirmed = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: fresh2.enrollmentId, code: codeAt(fresh2.secret, -1), challenge },
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json()).toMatchObject({ session: expect.any(String) });
      // Enrolling ended it: the temporary code is refused, the new authenticator works.
      expectProblem(await login(username, code), 401, 'invalid-code');
      expect((await login(username, codeAt(fresh2.secret))).json()).toMatchObject({
        status: 'authenticated',
      });
      const history = await historyOf(userId);
      const issuedEvent = history.find((event) => event.type === 'TemporaryAccessIssued');
      expect(issuedEvent?.data).toMatchObject({ ...why, expiresAt, temporaryCode: '[issued, not shown]' });
      expect(issuedEvent?.actor).toMatchObject({ role: 'support' });
      expect(history.filter((event) => event.type === 'TemporaryAccessUsed')).toHaveLength(2);
      expect(history.find((event) => event.type === 'TemporaryAccessEnded')?.data).toMatchObject({
        why: 'enrolled',
      });
      expect(JSON.stringify(history)).not.toContain(code);
      const used = await hooks.nth('temporary-access-used', userId);
      expect(used.freezeToken).toEqual(expect.any(String));
      expect((await hooks.nth('temporary-access-issued', userId)).details).toMatchObject({ expiresAt });
    });

    it('counts wrong temporary codes towards the lock-out, which refuses even the right one (401, then 429)', async () => {
      const { userId } = await t.enrolledUser(officeId, fresh('guessed'));
      const username = `guessed-${users}`;
      const { code } = await issued(userId);
      for (let attempt = 1; attempt <= 4; attempt++)
        expectProblem(await login(username, 'aaaa-bbbb-cccc-dddd'), 401, 'invalid-code');
      expectProblem(await login(username, 'aaaa-bbbb-cccc-dddd'), 429, 'locked-out');
      expectProblem(await login(username, code), 429, 'locked-out');
      expect(await hooks.nth('second-factor-locked-out', userId)).toMatchObject({
        freezeToken: expect.any(String),
      });
    });

    it('a new code replaces the old one (201; the old code is refused)', async () => {
      const username = fresh('replaced');
      const { userId } = await t.enrolledUser(officeId, username);
      const first = await issued(userId);
      const second = await issued(userId);
      expectProblem(await login(username, first.code), 401, 'invalid-code');
      expect((await login(username, second.code)).json()).toMatchObject({ status: 'enrollment-required' });
    });

    it('refuses an unknown user (404 not-found)', async () => {
      expectProblem(await issue('no-such-user'), 404, 'not-found');
    });

    it('refuses a blank reason, a missing ticket, unknown fields and a bad id (400 invalid-request)', async () => {
      const userId = await t.createUser(officeId, fresh('blank'));
      expectInvalidRequest(await issue(userId, { reason: ' ', ticket: 'SUP-1' }), 'reason');
      expectInvalidRequest(await issue(userId, { reason: 'Lost phone' }), 'ticket');
      expectProblem(await issue(userId, { ...why, hours: 500 }), 400, 'invalid-request');
      expectInvalidRequest(await issue('a%2Fb'), 'userId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('POST', '/v1/support/users/anyone/temporary-access', { body: why }),
        401,
        'unauthenticated',
      );
    });

    it('refuses every caller who is not support (403 not-permitted)', async () => {
      const target = await t.createUser(officeId, fresh('target'));
      for (const role of ['member', 'office-admin', 'auditor'])
        expectProblem(await issue(target, why, await withRole(role)), 403, 'not-permitted');
    });
  });

  describe('POST /v1/support/users/{userId}/temporary-access/end', () => {
    it('ends it early: the code is refused and, without an office requirement, the password is enough (200)', async () => {
      const username = fresh('found-phone');
      const { userId } = await t.enrolledUser(officeId, username);
      const { code } = await issued(userId);
      const reply = await end(userId, { reason: 'Phone found', ticket: 'SUP-78' });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ userId });
      expect((await find(username)).json()).toMatchObject({ temporaryAccessUntil: null });
      expect((await login(username, code)).json()).toMatchObject({ status: 'authenticated' });
      expect((await historyOf(userId)).find((event) => event.type === 'TemporaryAccessEnded')?.data).toEqual({
        userId,
        why: 'ended-by-support',
        reason: 'Phone found',
        ticket: 'SUP-78',
      });
    });

    it('refuses when no temporary access is open (409 no-temporary-access)', async () => {
      const userId = await t.createUser(officeId, fresh('nothing-open'));
      expectProblem(await end(userId), 409, 'no-temporary-access');
    });

    it('refuses an unknown user, a bad body and a bad id (404, 400)', async () => {
      expectProblem(await end('no-such-user'), 404, 'not-found');
      const userId = await t.createUser(officeId, fresh('end-blank'));
      expectInvalidRequest(await end(userId, { reason: 'x' }), 'ticket');
      expectInvalidRequest(await end('a%2Fb'), 'userId');
    });

    it('refuses without a session and for every other role (401, 403)', async () => {
      expectProblem(
        await t.call('POST', '/v1/support/users/x/temporary-access/end', { body: why }),
        401,
        'unauthenticated',
      );
      for (const role of ['member', 'office-admin', 'auditor'])
        expectProblem(await end('x', why, await withRole(role)), 403, 'not-permitted');
    });
  });

  describe('POST /v1/freeze', () => {
    it("freezes the account from a notification's token: sessions end, logins and changes are refused, support sees it (200)", async () => {
      const username = fresh('not-me');
      const { userId, token, secret } = await t.enrolledUser(officeId, username);
      const freezeToken = await freezeTokenOf(userId);
      const reply = await freeze(freezeToken);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ status: 'frozen' });
      expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
      expectProblem(await login(username, codeAt(secret)), 403, 'account-frozen');
      expectProblem(await login(username), 403, 'account-frozen');
      expect((await find(username)).json()).toMatchObject({ frozen: true });
      expectProblem(
        await t.platform('GET', `/v1/platform/users/${userId}/login-requirements`),
        403,
        'account-frozen',
      );
      expectProblem(
        await t.call('POST', `/v1/support/users/${userId}/two-factor-reset`, { body: why, token: support }),
        403,
        'account-frozen',
      );
      expectProblem(await issue(userId), 403, 'account-frozen');
      // A wrong password still gets the usual answer: the freeze is not told to a guesser.
      expectProblem(
        await t.call('POST', '/v1/login', { body: { username, password: 'not the password' } }),
        401,
        'invalid-credentials',
      );
      expect((await historyOf(userId)).find((event) => event.type === 'AccountFrozen')?.actor).toMatchObject({
        id: userId,
      });
    });

    it('a frozen login held at the second step cannot finish, even with the right code (403 account-frozen)', async () => {
      const username = fresh('mid-login');
      const { userId, secret } = await t.enrolledUser(officeId, username);
      const { challenge } = (await login(username)).json() as { challenge: string };
      expect((await freeze(await freezeTokenOf(userId))).statusCode).toBe(200);
      expectProblem(
        await t.call('POST', '/v1/login/second-factor', { body: { challenge, code: codeAt(secret) } }),
        403,
        'account-frozen',
      );
    });

    it('refuses a used token, an unknown one, and a login challenge passed off as one (401 invalid-freeze-token)', async () => {
      const username = fresh('twice-clicked');
      const { userId } = await t.enrolledUser(officeId, username);
      const freezeToken = await freezeTokenOf(userId);
      expect((await freeze(freezeToken)).statusCode).toBe(200);
      expectProblem(await freeze(freezeToken), 401, 'invalid-freeze-token');
      expectProblem(await freeze('x'.repeat(43)), 401, 'invalid-freeze-token');
      const other = fresh('challenge-holder');
      await t.enrolledUser(officeId, other);
      const { challenge } = (await login(other)).json() as { challenge: string };
      expectProblem(await freeze(challenge), 401, 'invalid-freeze-token');
      expect((await login(other)).json()).toMatchObject({ status: 'second-factor-required' });
    });

    it('refuses a missing, empty or over-long token and unknown fields (400 invalid-request)', async () => {
      expectProblem(await t.call('POST', '/v1/freeze', { body: {} }), 400, 'invalid-request');
      expectInvalidRequest(await freeze(''), 'token');
      expectInvalidRequest(await freeze('t'.repeat(201)), 'token');
      expectProblem(
        await t.call('POST', '/v1/freeze', { body: { token: 'abc', userId: 'x' } }),
        400,
        'invalid-request',
      );
    });
  });

  describe('POST /v1/support/users/{userId}/unfreeze', () => {
    it('lifts the freeze with a reason and a ticket: the user logs in again (200)', async () => {
      const username = fresh('lifted');
      const { userId, secret } = await t.enrolledUser(officeId, username);
      expect((await freeze(await freezeTokenOf(userId))).statusCode).toBe(200);
      const reply = await unfreeze(userId);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ userId });
      expect((await find(username)).json()).toMatchObject({ frozen: false });
      expect((await login(username, codeAt(secret))).json()).toMatchObject({ status: 'authenticated' });
      const lifted = (await historyOf(userId)).find((event) => event.type === 'AccountUnfrozen');
      expect(lifted?.data).toEqual({ userId, ...why });
      expect(lifted?.actor).toMatchObject({ role: 'support' });
    });

    it('refuses an account that is not frozen (409 not-frozen)', async () => {
      const userId = await t.createUser(officeId, fresh('never-frozen'));
      expectProblem(await unfreeze(userId), 409, 'not-frozen');
    });

    it('refuses an unknown user, a bad body and a bad id (404, 400)', async () => {
      expectProblem(await unfreeze('no-such-user'), 404, 'not-found');
      const userId = await t.createUser(officeId, fresh('unfreeze-blank'));
      expectInvalidRequest(await unfreeze(userId, { ticket: 'SUP-1' }), 'reason');
      expectInvalidRequest(await unfreeze('a%2Fb'), 'userId');
    });

    it('refuses without a session and for every other role (401, 403)', async () => {
      expectProblem(
        await t.call('POST', '/v1/support/users/x/unfreeze', { body: why }),
        401,
        'unauthenticated',
      );
      for (const role of ['member', 'office-admin', 'auditor'])
        expectProblem(await unfreeze('x', why, await withRole(role)), 403, 'not-permitted');
    });
  });

  describe('time travel: GET /v1/audit/users/{userId}/two-factor?at=', () => {
    it('shows an open temporary access and a freeze at the moments they held', async () => {
      const username = fresh('travelled');
      const { userId } = await t.enrolledUser(officeId, username);
      const { expiresAt } = await issued(userId);
      const withTemporary = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(
        (await freeze((await hooks.nth('temporary-access-issued', userId)).freezeToken)).statusCode,
      ).toBe(200);
      const frozenMoment = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await unfreeze(userId)).statusCode).toBe(200);
      const at = async (moment: string) =>
        (
          await t.call('GET', `/v1/audit/users/${userId}/two-factor?at=${encodeURIComponent(moment)}`, {
            token: support,
          })
        ).json() as Json;
      expect(await at(withTemporary)).toMatchObject({
        enabled: false,
        temporaryAccessUntil: expiresAt,
        frozen: false,
      });
      expect(await at(frozenMoment)).toMatchObject({ temporaryAccessUntil: null, frozen: true });
      expect(await at(new Date().toISOString())).toMatchObject({ frozen: false });
    });
  });
});
