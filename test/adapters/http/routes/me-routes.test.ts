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

const wrongCode = (secret: string) => codeAt(secret, 10);

describe('me routes', () => {
  let t: RouteTestService;
  let officeId: string;
  let strictOfficeId: string;
  let users = 0;
  const fresh = (prefix: string) => `${prefix}-${++users}`;

  /** A signed-in user without 2FA. */
  const signedIn = async (prefix: string, office = officeId) => {
    const username = fresh(prefix);
    const userId = await t.createUser(office, username);
    return { username, userId, token: await t.signIn(username) };
  };
  const startEnrollment = async (token: string) => {
    const reply = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { password }, token });
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json() as { enrollmentId: string; secret: string; expiresAt: string };
  };
  /** A login held back for enrolment: the enrollment-required challenge of a member of the strict office. */
  const heldBackLogin = async () => {
    const username = fresh('held-back');
    await t.createUser(strictOfficeId, username);
    const reply = await t.call('POST', '/v1/login', { body: { username, password } });
    const body = reply.json() as { status: string; challenge: string };
    expect(body.status).toBe('enrollment-required');
    return { username, challenge: body.challenge };
  };

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Me office');
    strictOfficeId = await t.createOffice('Strict me office');
    await t.createUser(strictOfficeId, 'strict-admin', 'office-admin');
    const required = await t.call('PUT', `/v1/offices/${strictOfficeId}/two-factor-policy`, {
      body: { required: true },
      token: await t.signIn('strict-admin'),
    });
    expect(required.statusCode, required.body).toBe(200);
    await waitForStepWithAtLeast(20);
  });
  afterAll(async () => {
    await t?.stop();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('GET /v1/me', () => {
    it('says who is signed in (200)', async () => {
      const { username, userId, token } = await signedIn('me');
      const reply = await t.call('GET', '/v1/me', { token });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({ userId, officeId, role: 'member', username });
    });

    it('accepts the session cookie instead of the bearer header (200)', async () => {
      const { token, userId } = await signedIn('cookie');
      const reply = await t.call('GET', '/v1/me', { headers: { cookie: `sf_session=${token}` } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ userId });
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', '/v1/me'), 401, 'unauthenticated');
    });

    it('refuses an unknown token (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', '/v1/me', { token: 'forged-token' }), 401, 'unauthenticated');
    });

    it('refuses an empty bearer token (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('GET', '/v1/me', { headers: { authorization: 'Bearer ' } }),
        401,
        'unauthenticated',
      );
    });

    it('refuses another authorization scheme (401 unauthenticated)', async () => {
      const reply = await t.call('GET', '/v1/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expectProblem(reply, 401, 'unauthenticated');
    });
  });

  describe('GET /v1/me/two-factor', () => {
    it('shows 2FA off for a user who has not enrolled (200)', async () => {
      const { token } = await signedIn('status-off');
      const reply = await t.call('GET', '/v1/me/two-factor', { token });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({
        enabled: false,
        enrolledAt: null,
        requiredByOffice: false,
        enforceFrom: null,
        canDisable: false,
        recoveryCodesLeft: 0,
        reenrollmentDeadline: null,
      });
    });

    it('shows 2FA on with ten recovery codes after enrolment (200)', async () => {
      const { token } = await t.enrolledUser(officeId, fresh('status-on'));
      const reply = await t.call('GET', '/v1/me/two-factor', { token });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({
        enabled: true,
        enrolledAt: expect.any(String),
        requiredByOffice: false,
        canDisable: true,
        recoveryCodesLeft: 10,
      });
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', '/v1/me/two-factor'), 401, 'unauthenticated');
    });
  });

  describe('POST /v1/me/two-factor/enrollment', () => {
    it('starts an enrolment for a signed-in user who gives the password (200, no-store)', async () => {
      const { token } = await signedIn('start');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { password }, token });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      const body = reply.json() as Json;
      expect(body).toMatchObject({
        enrollmentId: expect.any(String),
        otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\//),
        secret: expect.stringMatching(/^[A-Z2-7]+=*$/),
        qr: {
          pngDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
          svg: expect.stringContaining('<svg'),
        },
        expiresAt: expect.any(String),
      });
      expect(new Date(body.expiresAt as string).getTime()).toBeGreaterThan(Date.now());
    });

    it('starts an enrolment for a login held back for it, with its challenge (200)', async () => {
      const { challenge } = await heldBackLogin();
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ enrollmentId: expect.any(String) });
    });

    it('refuses a wrong password (401 invalid-password)', async () => {
      const { token } = await signedIn('start-wrong-pw');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', {
        body: { password: 'not my password' },
        token,
      });
      expectProblem(reply, 401, 'invalid-password');
    });

    it('refuses a signed-in user who gives no password (401 invalid-password)', async () => {
      const { token } = await signedIn('start-no-pw');
      expectProblem(
        await t.call('POST', '/v1/me/two-factor/enrollment', { body: {}, token }),
        401,
        'invalid-password',
      );
    });

    it('refuses a request with neither session nor challenge (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('POST', '/v1/me/two-factor/enrollment', { body: { password } }),
        401,
        'unauthenticated',
      );
    });

    it('refuses an unknown challenge (401 invalid-challenge)', async () => {
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge: 'made-up' } });
      expectProblem(reply, 401, 'invalid-challenge');
    });

    it('refuses the challenge of a second-factor login (401 invalid-challenge)', async () => {
      const username = fresh('sf-challenge');
      await t.enrolledUser(officeId, username);
      const login = (await t.call('POST', '/v1/login', { body: { username, password } })).json() as {
        challenge: string;
      };
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', {
        body: { challenge: login.challenge },
      });
      expectProblem(reply, 401, 'invalid-challenge');
    });

    it('refuses a user who is enrolled already (409 already-enrolled)', async () => {
      const { token } = await t.enrolledUser(officeId, fresh('start-twice'));
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { password }, token });
      expectProblem(reply, 409, 'already-enrolled');
    });

    it('refuses an empty password (400 invalid-request naming it)', async () => {
      const { token } = await signedIn('start-empty-pw');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { password: '' }, token });
      expectInvalidRequest(reply, 'password');
    });

    it('refuses unknown fields (400 invalid-request)', async () => {
      const { token } = await signedIn('start-extra');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment', {
        body: { password, secret: 'JBSWY3DPEHPK3PXP' },
        token,
      });
      expectProblem(reply, 400, 'invalid-request');
    });
  });

  describe('POST /v1/me/two-factor/enrollment/confirm', () => {
    it('enables 2FA for a signed-in user and shows ten recovery codes once (200, no session)', async () => {
      const { token } = await signedIn('confirm');
      const { enrollmentId, secret } = await startEnrollment(token);
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret) },
        token,
      });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      const body = reply.json() as { recoveryCodes: string[]; session: null; user: null };
      expect(body.recoveryCodes).toHaveLength(10);
      expect(new Set(body.recoveryCodes).size).toBe(10);
      expect(body.session).toBeNull();
      expect(body.user).toBeNull();
      expect((await t.call('GET', '/v1/me/two-factor', { token })).json()).toMatchObject({ enabled: true });
    });

    it('finishes a login held back for enrolment with a new session (200 with session and user)', async () => {
      const { username, challenge } = await heldBackLogin();
      const started = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } });
      const { enrollmentId, secret } = started.json() as { enrollmentId: string; secret: string };
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret), challenge },
      });
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json() as { session: string; user: Json; recoveryCodes: string[] };
      expect(body.recoveryCodes).toHaveLength(10);
      expect(body.user).toMatchObject({ username, officeId: strictOfficeId });
      expect(String(reply.headers['set-cookie'])).toContain(`sf_session=${body.session}`);
      expect((await t.call('GET', '/v1/me', { token: body.session })).statusCode).toBe(200);
    });

    it('refuses the challenge once it has finished its login (401 invalid-challenge)', async () => {
      const { challenge } = await heldBackLogin();
      const started = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } });
      const { enrollmentId, secret } = started.json() as { enrollmentId: string; secret: string };
      const first = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret), challenge },
      });
      expect(first.statusCode, first.body).toBe(200);
      const again = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret, 1), challenge },
      });
      expectProblem(again, 401, 'invalid-challenge');
    });

    it('refuses an enrolment id that was not started (404 enrollment-not-found)', async () => {
      const { token } = await signedIn('confirm-wrong-id');
      const { secret } = await startEnrollment(token);
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: 'not-the-enrolment', code: codeAt(secret) },
        token,
      });
      expectProblem(reply, 404, 'enrollment-not-found');
    });

    it('refuses a confirmation when no enrolment was started (404 enrollment-not-found)', async () => {
      const { token } = await signedIn('confirm-none');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: 'anything', code: '123456' },
        token,
      });
      expectProblem(reply, 404, 'enrollment-not-found');
    });

    it('refuses an enrolment superseded by a newer one (404 enrollment-not-found)', async () => {
      const { token } = await signedIn('confirm-superseded');
      const older = await startEnrollment(token);
      await startEnrollment(token);
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: older.enrollmentId, code: codeAt(older.secret) },
        token,
      });
      expectProblem(reply, 404, 'enrollment-not-found');
    });

    it('refuses a wrong code, and the enrolment stays open for the right one (401 invalid-code, then 200)', async () => {
      const { token } = await signedIn('confirm-wrong-code');
      const { enrollmentId, secret } = await startEnrollment(token);
      const wrong = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: wrongCode(secret) },
        token,
      });
      expectProblem(wrong, 401, 'invalid-code');
      const right = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret) },
        token,
      });
      expect(right.statusCode, right.body).toBe(200);
    });

    for (const malformed of ['', 'abc', '1234567', ' 123456', '１２３４５６']) {
      it(`refuses the malformed code ${JSON.stringify(malformed)} like a wrong code (401 invalid-code)`, async () => {
        const { token } = await signedIn('confirm-malformed');
        const { enrollmentId } = await startEnrollment(token);
        const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
          body: { enrollmentId, code: malformed },
          token,
        });
        expectProblem(reply, 401, 'invalid-code');
      });
    }

    it('refuses a user who is enrolled already (409 already-enrolled)', async () => {
      const { token } = await signedIn('confirm-twice');
      const { enrollmentId, secret } = await startEnrollment(token);
      const first = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret) },
        token,
      });
      expect(first.statusCode, first.body).toBe(200);
      const again = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret, 1) },
        token,
      });
      expectProblem(again, 409, 'already-enrolled');
    });

    it('refuses an enrolment older than its lifetime (410 enrollment-expired)', async () => {
      const { token } = await signedIn('confirm-expired');
      const { enrollmentId, secret, expiresAt } = await startEnrollment(token);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(expiresAt).getTime() + 1000);
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret) },
        token,
      });
      expectProblem(reply, 410, 'enrollment-expired');
    });

    it('refuses a request with neither session nor challenge (401 unauthenticated)', async () => {
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: 'e', code: '123456' },
      });
      expectProblem(reply, 401, 'unauthenticated');
    });

    it('refuses an unknown challenge (401 invalid-challenge)', async () => {
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: 'e', code: '123456', challenge: 'made-up' },
      });
      expectProblem(reply, 401, 'invalid-challenge');
    });

    it('refuses a body without enrolment id and code, naming both (400 invalid-request)', async () => {
      const { token } = await signedIn('confirm-empty');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', { body: {}, token });
      expectInvalidRequest(reply, 'enrollmentId', 'code');
    });

    it('refuses an empty enrolment id (400 invalid-request)', async () => {
      const { token } = await signedIn('confirm-empty-id');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: '', code: '123456' },
        token,
      });
      expectInvalidRequest(reply, 'enrollmentId');
    });

    it('refuses unknown fields (400 invalid-request)', async () => {
      const { token } = await signedIn('confirm-extra');
      const reply = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId: 'e', code: '123456', password },
        token,
      });
      expectProblem(reply, 400, 'invalid-request');
    });
  });

  describe('DELETE /v1/me/two-factor', () => {
    it('disables 2FA with a code; other sessions end, this one stays (204)', async () => {
      const username = fresh('disable-code');
      const { token, secret } = await t.enrolledUser(officeId, username);
      const login = (
        await t.call('POST', '/v1/login', { body: { username, password, code: codeAt(secret) } })
      ).json() as {
        session: string;
      };
      const reply = await t.call('DELETE', '/v1/me/two-factor', { body: { code: codeAt(secret, 1) }, token });
      expect(reply.statusCode, reply.body).toBe(204);
      expect(reply.body).toBe('');
      expect((await t.call('GET', '/v1/me/two-factor', { token })).json()).toMatchObject({ enabled: false });
      expectProblem(await t.call('GET', '/v1/me', { token: login.session }), 401, 'unauthenticated');
      expect((await t.call('POST', '/v1/login', { body: { username, password } })).json()).toMatchObject({
        status: 'authenticated',
      });
    });

    it('disables 2FA with the password (204)', async () => {
      const { token } = await t.enrolledUser(officeId, fresh('disable-pw'));
      const reply = await t.call('DELETE', '/v1/me/two-factor', { body: { password }, token });
      expect(reply.statusCode, reply.body).toBe(204);
      expect((await t.call('GET', '/v1/me/two-factor', { token })).json()).toMatchObject({ enabled: false });
    });

    it('refuses a wrong password (401 invalid-password)', async () => {
      const { token } = await t.enrolledUser(officeId, fresh('disable-wrong-pw'));
      const reply = await t.call('DELETE', '/v1/me/two-factor', {
        body: { password: 'wrong password' },
        token,
      });
      expectProblem(reply, 401, 'invalid-password');
      expect((await t.call('GET', '/v1/me/two-factor', { token })).json()).toMatchObject({ enabled: true });
    });

    it('refuses a wrong code (401 invalid-code)', async () => {
      const { token, secret } = await t.enrolledUser(officeId, fresh('disable-wrong-code'));
      const reply = await t.call('DELETE', '/v1/me/two-factor', { body: { code: wrongCode(secret) }, token });
      expectProblem(reply, 401, 'invalid-code');
      expect((await t.call('GET', '/v1/me/two-factor', { token })).json()).toMatchObject({ enabled: true });
    });

    it('refuses a malformed code like a wrong one (401 invalid-code)', async () => {
      const { token } = await t.enrolledUser(officeId, fresh('disable-malformed'));
      const reply = await t.call('DELETE', '/v1/me/two-factor', { body: { code: '１２３４５６' }, token });
      expectProblem(reply, 401, 'invalid-code');
    });

    it('refuses a code that was used already (401 invalid-code)', async () => {
      const username = fresh('disable-replay');
      const { token, secret } = await t.enrolledUser(officeId, username);
      const code = codeAt(secret);
      const login = await t.call('POST', '/v1/login', { body: { username, password, code } });
      expect(login.statusCode, login.body).toBe(200);
      expectProblem(
        await t.call('DELETE', '/v1/me/two-factor', { body: { code }, token }),
        401,
        'invalid-code',
      );
    });

    it('locks the code proof after 5 wrong codes, refusing even the password (429 locked-out with Retry-After)', async () => {
      const { token, secret } = await t.enrolledUser(officeId, fresh('disable-locked'));
      for (let attempt = 1; attempt <= 4; attempt++)
        expectProblem(
          await t.call('DELETE', '/v1/me/two-factor', { body: { code: wrongCode(secret) }, token }),
          401,
          'invalid-code',
        );
      const fifth = await t.call('DELETE', '/v1/me/two-factor', { body: { code: wrongCode(secret) }, token });
      expectProblem(fifth, 429, 'locked-out');
      expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(0);
      const withPassword = await t.call('DELETE', '/v1/me/two-factor', { body: { password }, token });
      expectProblem(withPassword, 429, 'locked-out');
      expect(Number(withPassword.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('refuses a user without 2FA (409 not-enrolled)', async () => {
      const { token } = await signedIn('disable-none');
      expectProblem(
        await t.call('DELETE', '/v1/me/two-factor', { body: { password }, token }),
        409,
        'not-enrolled',
      );
    });

    it('refuses while the office requires 2FA (403 office-requires-two-factor)', async () => {
      const { challenge } = await heldBackLogin();
      const started = await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } });
      const { enrollmentId, secret } = started.json() as { enrollmentId: string; secret: string };
      const confirmed = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
        body: { enrollmentId, code: codeAt(secret), challenge },
      });
      const token = (confirmed.json() as { session: string }).session;
      const reply = await t.call('DELETE', '/v1/me/two-factor', { body: { password }, token });
      expectProblem(reply, 403, 'office-requires-two-factor');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('DELETE', '/v1/me/two-factor', { body: { password } }),
        401,
        'unauthenticated',
      );
    });

    it('refuses a code and a password together (400 invalid-request)', async () => {
      const { token } = await signedIn('disable-both');
      const reply = await t.call('DELETE', '/v1/me/two-factor', {
        body: { code: '123456', password },
        token,
      });
      expectProblem(reply, 400, 'invalid-request');
    });

    it('refuses an empty body object (400 invalid-request)', async () => {
      const { token } = await signedIn('disable-empty');
      expectProblem(await t.call('DELETE', '/v1/me/two-factor', { body: {}, token }), 400, 'invalid-request');
    });

    it('refuses a request without a body (400 invalid-request)', async () => {
      const { token } = await signedIn('disable-no-body');
      expectProblem(await t.call('DELETE', '/v1/me/two-factor', { token }), 400, 'invalid-request');
    });
  });

  describe('POST /v1/me/two-factor/recovery-codes', () => {
    it('replaces the recovery codes after the password: the old ones stop working, the new ones work (200)', async () => {
      const username = fresh('regen-pw');
      const { token, recoveryCodes: old } = await t.enrolledUser(officeId, username);
      const reply = await t.call('POST', '/v1/me/two-factor/recovery-codes', { body: { password }, token });
      expect(reply.statusCode, reply.body).toBe(200);
      const fresh10 = (reply.json() as { recoveryCodes: string[] }).recoveryCodes;
      expect(fresh10).toHaveLength(10);
      expect(fresh10).not.toContain(old[0]);
      const challenge = async () =>
        (
          (await t.call('POST', '/v1/login', { body: { username, password } })).json() as {
            challenge: string;
          }
        ).challenge;
      const withOld = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge: await challenge(), recoveryCode: old[0] },
      });
      expectProblem(withOld, 401, 'invalid-code');
      const withNew = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge: await challenge(), recoveryCode: fresh10[0] },
      });
      expect(withNew.statusCode, withNew.body).toBe(200);
    });

    it('replaces the recovery codes after a code, which is then used up (200, replay 401 invalid-code)', async () => {
      const { token, secret } = await t.enrolledUser(officeId, fresh('regen-code'));
      const code = codeAt(secret);
      const reply = await t.call('POST', '/v1/me/two-factor/recovery-codes', { body: { code }, token });
      expect(reply.statusCode, reply.body).toBe(200);
      expect((reply.json() as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
      const replayed = await t.call('POST', '/v1/me/two-factor/recovery-codes', { body: { code }, token });
      expectProblem(replayed, 401, 'invalid-code');
    });

    it('refuses a wrong password (401 invalid-password)', async () => {
      const { token } = await t.enrolledUser(officeId, fresh('regen-wrong-pw'));
      const reply = await t.call('POST', '/v1/me/two-factor/recovery-codes', {
        body: { password: 'wrong password' },
        token,
      });
      expectProblem(reply, 401, 'invalid-password');
    });

    it('refuses a wrong code (401 invalid-code)', async () => {
      const { token, secret } = await t.enrolledUser(officeId, fresh('regen-wrong-code'));
      const reply = await t.call('POST', '/v1/me/two-factor/recovery-codes', {
        body: { code: wrongCode(secret) },
        token,
      });
      expectProblem(reply, 401, 'invalid-code');
    });

    it('locks after 5 wrong codes (429 locked-out with Retry-After)', async () => {
      const { token, secret } = await t.enrolledUser(officeId, fresh('regen-locked'));
      for (let attempt = 1; attempt <= 4; attempt++)
        await t.call('POST', '/v1/me/two-factor/recovery-codes', {
          body: { code: wrongCode(secret) },
          token,
        });
      const fifth = await t.call('POST', '/v1/me/two-factor/recovery-codes', {
        body: { code: wrongCode(secret) },
        token,
      });
      expectProblem(fifth, 429, 'locked-out');
      expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('refuses a user without 2FA (409 not-enrolled)', async () => {
      const { token } = await signedIn('regen-none');
      const reply = await t.call('POST', '/v1/me/two-factor/recovery-codes', { body: { password }, token });
      expectProblem(reply, 409, 'not-enrolled');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('POST', '/v1/me/two-factor/recovery-codes', { body: { password } }),
        401,
        'unauthenticated',
      );
    });

    it('refuses a code and a password together (400 invalid-request)', async () => {
      const { token } = await signedIn('regen-both');
      const reply = await t.call('POST', '/v1/me/two-factor/recovery-codes', {
        body: { code: '123456', password },
        token,
      });
      expectProblem(reply, 400, 'invalid-request');
    });
  });
});
