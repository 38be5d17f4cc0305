import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeAt, waitForStepWithAtLeast } from '../../../support/totp-codes.ts';
import {
  expectInvalidRequest,
  expectProblem,
  type Json,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

/** A code no authenticator shows now: ten steps ahead, far outside the window. */
const wrongCode = (secret: string) => codeAt(secret, 10);

/** What two problem answers share once the per-request instance is set aside. */
const sameProblem = (body: Json) => {
  const { instance: _instance, ...rest } = body;
  return rest;
};

describe('login routes', () => {
  let t: RouteTestService;
  let officeId: string;
  let users = 0;
  const fresh = (prefix: string) => `${prefix}-${++users}`;

  const challengeFor = async (username: string) => {
    const reply = await t.call('POST', '/v1/login', { body: { username, password } });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json() as { status: string; challenge: string };
    expect(body.status).toBe('second-factor-required');
    return body.challenge;
  };
  const secondFactor = (body: unknown) => t.call('POST', '/v1/login/second-factor', { body });

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Login office');
    await t.createUser(officeId, 'plain');
    // Room for the codes of a test to stay in one 30 s step.
    await waitForStepWithAtLeast(20);
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('POST /v1/login', () => {
    it('signs a user without 2FA in with the password alone (200, session in body and cookie)', async () => {
      const reply = await t.call('POST', '/v1/login', { body: { username: 'plain', password } });
      expect(reply.statusCode).toBe(200);
      const body = reply.json() as Json;
      expect(body).toMatchObject({
        status: 'authenticated',
        session: expect.any(String),
        user: { officeId, role: 'member', username: 'plain' },
        enrollmentDeadline: null,
      });
      const cookie = String(reply.headers['set-cookie']);
      expect(cookie).toContain(`sf_session=${body.session as string}`);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      // The pages' marker that a session may exist: readable by scripts, holding no secret.
      const marker = ([] as string[])
        .concat(reply.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('sf_signed_in='));
      expect(marker).toMatch(/^sf_signed_in=1;/);
      expect(marker).not.toMatch(/HttpOnly/i);
      expect(marker).toMatch(/SameSite=Strict/i);
    });

    it('accepts the username in another case and with surrounding spaces (200)', async () => {
      const reply = await t.call('POST', '/v1/login', { body: { username: '  PLAIN ', password } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'authenticated' });
    });

    it('ignores a code sent for a user without 2FA (200 authenticated)', async () => {
      const reply = await t.call('POST', '/v1/login', {
        body: { username: 'plain', password, code: '123456' },
      });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'authenticated' });
    });

    it('asks an enrolled user for the second factor (200 second-factor-required with a challenge)', async () => {
      const username = fresh('enrolled');
      await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/login', { body: { username, password } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({
        status: 'second-factor-required',
        challenge: expect.any(String),
        trustBrowserDays: 0,
      });
      expect(reply.headers['set-cookie']).toBeUndefined();
    });

    it('treats an empty code like no code (200 second-factor-required)', async () => {
      const username = fresh('empty-code');
      await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/login', { body: { username, password, code: '' } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'second-factor-required' });
    });

    it('signs an enrolled user in at once when the form sends the right code (200 authenticated)', async () => {
      const username = fresh('one-step');
      const { secret } = await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/login', { body: { username, password, code: codeAt(secret) } });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'authenticated', user: { username } });
    });

    it('refuses a wrong code sent with the password (401 invalid-code)', async () => {
      const username = fresh('one-step-wrong');
      const { secret } = await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/login', {
        body: { username, password, code: wrongCode(secret) },
      });
      expectProblem(reply, 401, 'invalid-code');
    });

    it('refuses a malformed code sent with the password like a wrong one (401 invalid-code)', async () => {
      const username = fresh('one-step-malformed');
      await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/login', { body: { username, password, code: 'abc' } });
      expectProblem(reply, 401, 'invalid-code');
    });

    it('refuses a wrong code sent with a wrong password as bad credentials, not as a bad code (401)', async () => {
      const username = fresh('one-step-both-wrong');
      const { secret } = await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/login', {
        body: { username, password: 'wrong password', code: wrongCode(secret) },
      });
      expectProblem(reply, 401, 'invalid-credentials');
    });

    it('sends an unenrolled user of an office that requires 2FA to enrol (200 enrollment-required)', async () => {
      const strict = await t.createOffice('Strict');
      const admin = fresh('strict-admin');
      const member = fresh('strict-member');
      await t.createUser(strict, admin, 'office-admin');
      await t.createUser(strict, member);
      const put = await t.call('PUT', `/v1/offices/${strict}/two-factor-policy`, {
        body: { required: true },
        token: await t.signIn(admin),
      });
      expect(put.statusCode, put.body).toBe(200);
      const reply = await t.call('POST', '/v1/login', { body: { username: member, password } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({ status: 'enrollment-required', challenge: expect.any(String) });
    });

    it('lets a user in with the deadline when the requirement starts later (200 with enrollmentDeadline)', async () => {
      const later = await t.createOffice('Later');
      const admin = fresh('later-admin');
      const member = fresh('later-member');
      await t.createUser(later, admin, 'office-admin');
      await t.createUser(later, member);
      const enforceFrom = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
      const put = await t.call('PUT', `/v1/offices/${later}/two-factor-policy`, {
        body: { required: true, enforceFrom },
        token: await t.signIn(admin),
      });
      expect(put.statusCode, put.body).toBe(200);
      const reply = await t.call('POST', '/v1/login', { body: { username: member, password } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'authenticated', enrollmentDeadline: enforceFrom });
    });

    it('refuses a wrong password (401 invalid-credentials)', async () => {
      const reply = await t.call('POST', '/v1/login', { body: { username: 'plain', password: 'not it' } });
      expectProblem(reply, 401, 'invalid-credentials');
    });

    it('answers an unknown username exactly like a wrong password (same 401 body)', async () => {
      const wrongPassword = await t.call('POST', '/v1/login', {
        body: { username: 'plain', password: 'not it' },
      });
      const unknownUser = await t.call('POST', '/v1/login', { body: { username: 'nobody-here', password } });
      const a = expectProblem(wrongPassword, 401, 'invalid-credentials');
      const b = expectProblem(unknownUser, 401, 'invalid-credentials');
      expect(sameProblem(b)).toEqual(sameProblem(a));
    });

    it('refuses a missing password, naming the field (400 invalid-request)', async () => {
      expectInvalidRequest(await t.call('POST', '/v1/login', { body: { username: 'plain' } }), 'password');
    });

    it('refuses an empty username and password, naming both (400 invalid-request)', async () => {
      const reply = await t.call('POST', '/v1/login', { body: { username: '', password: '' } });
      expectInvalidRequest(reply, 'username', 'password');
    });

    it('refuses an over-long username (400 invalid-request)', async () => {
      const reply = await t.call('POST', '/v1/login', { body: { username: 'u'.repeat(201), password } });
      expectInvalidRequest(reply, 'username');
    });

    it('refuses an over-long password (400 invalid-request)', async () => {
      const reply = await t.call('POST', '/v1/login', {
        body: { username: 'plain', password: 'p'.repeat(1025) },
      });
      expectInvalidRequest(reply, 'password');
    });

    it('refuses an over-long code (400 invalid-request)', async () => {
      const reply = await t.call('POST', '/v1/login', {
        body: { username: 'plain', password, code: '1'.repeat(65) },
      });
      expectInvalidRequest(reply, 'code');
    });

    it('refuses a non-string username (400 invalid-request)', async () => {
      expectInvalidRequest(
        await t.call('POST', '/v1/login', { body: { username: 42, password } }),
        'username',
      );
    });

    it('refuses a body that is not valid JSON (400 invalid-request)', async () => {
      const reply = await t.call('POST', '/v1/login', {
        body: '{"username":',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(reply, 400, 'invalid-request');
    });

    it('refuses a body that is not JSON at all (415 unsupported-media-type)', async () => {
      const reply = await t.call('POST', '/v1/login', {
        body: '<login><username>plain</username></login>',
        headers: { 'content-type': 'application/xml' },
      });
      expectProblem(reply, 415, 'unsupported-media-type');
    });

    it('refuses a body larger than the limit (413 payload-too-large)', async () => {
      const reply = await t.call('POST', '/v1/login', {
        body: JSON.stringify({ username: 'plain', password: 'p'.repeat(70 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(reply, 413, 'payload-too-large');
    });
  });

  describe('POST /v1/login/second-factor', () => {
    it('finishes the login with the current code (200 authenticated with a session cookie)', async () => {
      const username = fresh('second');
      const { secret, userId } = await t.enrolledUser(officeId, username);
      const challenge = await challengeFor(username);
      const reply = await secondFactor({ challenge, code: codeAt(secret) });
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json() as Json;
      expect(body).toMatchObject({
        status: 'authenticated',
        session: expect.any(String),
        user: { userId, username },
        enrollmentDeadline: null,
      });
      expect(String(reply.headers['set-cookie'])).toContain(`sf_session=${body.session as string}`);
      const me = await t.call('GET', '/v1/me', { token: body.session as string });
      expect(me.statusCode).toBe(200);
    });

    it('finishes the login with a recovery code (200 authenticated)', async () => {
      const username = fresh('recovery');
      const { recoveryCodes } = await t.enrolledUser(officeId, username);
      const reply = await secondFactor({
        challenge: await challengeFor(username),
        recoveryCode: recoveryCodes[0],
      });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'authenticated' });
    });

    it('refuses a recovery code used before, like a wrong code (401 invalid-code)', async () => {
      const username = fresh('recovery-twice');
      const { recoveryCodes } = await t.enrolledUser(officeId, username);
      const first = await secondFactor({
        challenge: await challengeFor(username),
        recoveryCode: recoveryCodes[1],
      });
      expect(first.statusCode).toBe(200);
      const again = await secondFactor({
        challenge: await challengeFor(username),
        recoveryCode: recoveryCodes[1],
      });
      expectProblem(again, 401, 'invalid-code');
    });

    it('refuses a made-up recovery code, like a wrong code (401 invalid-code)', async () => {
      const username = fresh('recovery-wrong');
      await t.enrolledUser(officeId, username);
      const reply = await secondFactor({
        challenge: await challengeFor(username),
        recoveryCode: 'abcd-efgh-ijkl',
      });
      expectProblem(reply, 401, 'invalid-code');
    });

    it('refuses a wrong code, and the challenge stays usable for the right one (401 invalid-code, then 200)', async () => {
      const username = fresh('wrong');
      const { secret } = await t.enrolledUser(officeId, username);
      const challenge = await challengeFor(username);
      expectProblem(await secondFactor({ challenge, code: wrongCode(secret) }), 401, 'invalid-code');
      const retried = await secondFactor({ challenge, code: codeAt(secret) });
      expect(retried.statusCode, retried.body).toBe(200);
    });

    for (const malformed of ['', 'abc', '1234567', ' 123456', '１２３４５６', '12345', '12 345']) {
      it(`refuses the malformed code ${JSON.stringify(malformed)} exactly like a wrong code (same 401 invalid-code)`, async () => {
        const username = fresh('malformed');
        const { secret } = await t.enrolledUser(officeId, username);
        const challenge = await challengeFor(username);
        const wrong = expectProblem(
          await secondFactor({ challenge, code: wrongCode(secret) }),
          401,
          'invalid-code',
        );
        const bad = expectProblem(await secondFactor({ challenge, code: malformed }), 401, 'invalid-code');
        expect(sameProblem(bad)).toEqual(sameProblem(wrong));
      });
    }

    it('refuses a code that was accepted already exactly like a wrong code (same 401 invalid-code)', async () => {
      const username = fresh('replay');
      const { secret } = await t.enrolledUser(officeId, username);
      const code = codeAt(secret);
      const first = await secondFactor({ challenge: await challengeFor(username), code });
      expect(first.statusCode, first.body).toBe(200);
      const challenge = await challengeFor(username);
      const replayed = expectProblem(await secondFactor({ challenge, code }), 401, 'invalid-code');
      const wrong = expectProblem(
        await secondFactor({ challenge, code: wrongCode(secret) }),
        401,
        'invalid-code',
      );
      expect(sameProblem(replayed)).toEqual(sameProblem(wrong));
    });

    it('refuses a code replayed through the one-step login too (401 invalid-code)', async () => {
      const username = fresh('replay-one-step');
      const { secret } = await t.enrolledUser(officeId, username);
      const code = codeAt(secret);
      expect((await secondFactor({ challenge: await challengeFor(username), code })).statusCode).toBe(200);
      const replayed = await t.call('POST', '/v1/login', { body: { username, password, code } });
      expectProblem(replayed, 401, 'invalid-code');
    });

    it('refuses an unknown challenge (401 invalid-challenge)', async () => {
      expectProblem(
        await secondFactor({ challenge: 'no-such-challenge', code: '123456' }),
        401,
        'invalid-challenge',
      );
    });

    it('refuses a challenge that already finished a login (401 invalid-challenge)', async () => {
      const username = fresh('used-challenge');
      const { secret } = await t.enrolledUser(officeId, username);
      const challenge = await challengeFor(username);
      expect((await secondFactor({ challenge, code: codeAt(secret) })).statusCode).toBe(200);
      const again = await secondFactor({ challenge, code: codeAt(secret, 1) });
      expectProblem(again, 401, 'invalid-challenge');
    });

    it('refuses an expired challenge (401 invalid-challenge)', async () => {
      const username = fresh('expired');
      const { secret } = await t.enrolledUser(officeId, username);
      const challenge = await challengeFor(username);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 11 * 60 * 1000);
      const reply = await secondFactor({ challenge, code: codeAt(secret) });
      expectProblem(reply, 401, 'invalid-challenge');
    });

    it('refuses the challenge of a login held back for enrolment (401 invalid-challenge)', async () => {
      const strict = await t.createOffice('Strict for challenge');
      const admin = fresh('challenge-admin');
      const member = fresh('challenge-member');
      await t.createUser(strict, admin, 'office-admin');
      await t.createUser(strict, member);
      await t.call('PUT', `/v1/offices/${strict}/two-factor-policy`, {
        body: { required: true },
        token: await t.signIn(admin),
      });
      const login = (await t.call('POST', '/v1/login', { body: { username: member, password } })).json() as {
        status: string;
        challenge: string;
      };
      expect(login.status).toBe('enrollment-required');
      expectProblem(
        await secondFactor({ challenge: login.challenge, code: '123456' }),
        401,
        'invalid-challenge',
      );
    });

    it('locks the second factor after 5 wrong codes (429 locked-out with Retry-After), even for the right code', async () => {
      const username = fresh('locked');
      const { secret } = await t.enrolledUser(officeId, username);
      const challenge = await challengeFor(username);
      for (let attempt = 1; attempt <= 4; attempt++)
        expectProblem(await secondFactor({ challenge, code: wrongCode(secret) }), 401, 'invalid-code');
      const fifth = await secondFactor({ challenge, code: wrongCode(secret) });
      const body = expectProblem(fifth, 429, 'locked-out');
      expect(body.lockedUntil).toEqual(expect.any(String));
      const retryAfter = Number(fifth.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const right = await secondFactor({ challenge, code: codeAt(secret) });
      expectProblem(right, 429, 'locked-out');
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
      const oneStep = await t.call('POST', '/v1/login', {
        body: { username, password, code: codeAt(secret) },
      });
      expectProblem(oneStep, 429, 'locked-out');
    });

    it('refuses a code and a recovery code together (400 invalid-request)', async () => {
      const reply = await secondFactor({ challenge: 'c', code: '123456', recoveryCode: 'abcd' });
      expectProblem(reply, 400, 'invalid-request');
    });

    it('refuses a body without the challenge (400 invalid-request)', async () => {
      expectProblem(await secondFactor({ code: '123456' }), 400, 'invalid-request');
    });

    it('refuses an empty challenge (400 invalid-request)', async () => {
      expectInvalidRequest(await secondFactor({ challenge: '', code: '123456' }), 'challenge');
    });

    it('refuses a body with neither code nor recovery code (400 invalid-request)', async () => {
      expectProblem(await secondFactor({ challenge: 'c' }), 400, 'invalid-request');
    });

    it('refuses an over-long code (400 invalid-request)', async () => {
      expectProblem(await secondFactor({ challenge: 'c', code: '1'.repeat(65) }), 400, 'invalid-request');
    });
  });

  describe('POST /v1/logout', () => {
    it('ends the session: the token is refused afterwards (204, then 401 unauthenticated)', async () => {
      const token = await t.signIn('plain');
      expect((await t.call('GET', '/v1/me', { token })).statusCode).toBe(200);
      const reply = await t.call('POST', '/v1/logout', { token });
      expect(reply.statusCode).toBe(204);
      expect(reply.body).toBe('');
      expect(String(reply.headers['set-cookie'])).toMatch(/sf_session=;/);
      expect(String(reply.headers['set-cookie'])).toMatch(/sf_signed_in=;/);
      expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
    });

    it('ends a session held in the cookie (204, then 401)', async () => {
      const token = await t.signIn('plain');
      const cookie = `sf_session=${token}`;
      expect((await t.call('GET', '/v1/me', { headers: { cookie } })).statusCode).toBe(200);
      expect((await t.call('POST', '/v1/logout', { headers: { cookie } })).statusCode).toBe(204);
      expectProblem(await t.call('GET', '/v1/me', { headers: { cookie } }), 401, 'unauthenticated');
    });

    it('ends only its own session (204; another session of the user lives on)', async () => {
      const first = await t.signIn('plain');
      const second = await t.signIn('plain');
      expect((await t.call('POST', '/v1/logout', { token: first })).statusCode).toBe(204);
      expect((await t.call('GET', '/v1/me', { token: second })).statusCode).toBe(200);
    });

    it('answers 204 without any session', async () => {
      expect((await t.call('POST', '/v1/logout')).statusCode).toBe(204);
    });

    it('answers 204 for an unknown token', async () => {
      expect((await t.call('POST', '/v1/logout', { token: 'not-a-session' })).statusCode).toBe(204);
    });
  });
});

describe('login rate limits', () => {
  describe('per IP', () => {
    let t: RouteTestService;

    beforeAll(async () => {
      t = await startRouteTestService({ LOGIN_RATE_LIMIT_PER_MINUTE: '2' });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('refuses logins beyond the limit per minute, whatever the account (429 rate-limited with Retry-After)', async () => {
      const attempt = (username: string) => t.call('POST', '/v1/login', { body: { username, password } });
      expectProblem(await attempt('nobody-1'), 401, 'invalid-credentials');
      expectProblem(await attempt('nobody-2'), 401, 'invalid-credentials');
      const limited = await attempt('nobody-3');
      expectProblem(limited, 429, 'rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('limits the second step too (429 rate-limited)', async () => {
      const attempt = () =>
        t.call('POST', '/v1/login/second-factor', { body: { challenge: 'x', code: '123456' } });
      expectProblem(await attempt(), 401, 'invalid-challenge');
      expectProblem(await attempt(), 401, 'invalid-challenge');
      expectProblem(await attempt(), 429, 'rate-limited');
    });
  });

  describe('per account', () => {
    let t: RouteTestService;

    beforeAll(async () => {
      t = await startRouteTestService({ LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '2' });
      await t.createUser(await t.createOffice('Throttled office'), 'throttled');
      await t.createUser(await t.createOffice('Other throttled office'), 'bystander');
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('refuses an account beyond its limit, counting its username in any case, even with the right password (429 too-many-attempts with Retry-After)', async () => {
      expectProblem(
        await t.call('POST', '/v1/login', { body: { username: 'throttled', password: 'guess 1' } }),
        401,
        'invalid-credentials',
      );
      expectProblem(
        await t.call('POST', '/v1/login', { body: { username: ' THROTTLED', password: 'guess 2' } }),
        401,
        'invalid-credentials',
      );
      const limited = await t.call('POST', '/v1/login', { body: { username: 'throttled', password } });
      expectProblem(limited, 429, 'too-many-attempts');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    });

    it('leaves other accounts alone (200)', async () => {
      expect(
        (await t.call('POST', '/v1/login', { body: { username: 'bystander', password } })).statusCode,
      ).toBe(200);
    });
  });
});
