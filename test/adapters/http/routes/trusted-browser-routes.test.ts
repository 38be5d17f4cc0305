import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt } from '../../../support/totp-codes.ts';
import {
  expectInvalidRequest,
  expectProblem,
  type Json,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

const cookieName = 'sf_trusted_browser';
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

const setCookies = (reply: LightMyRequestResponse): string[] => {
  const header = reply.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
};
const trustCookieOf = (reply: LightMyRequestResponse): string | undefined =>
  setCookies(reply).find((cookie) => cookie.startsWith(`${cookieName}=`));
const tokenIn = (cookie: string | undefined): string => {
  const value = /^[^=]+=([^;]*)/.exec(cookie ?? '')?.[1];
  if (value === undefined) throw new Error(`no trusted-browser cookie in ${cookie}`);
  return value;
};
const withDevice = (token: string) => ({ cookie: `${cookieName}=${token}`, 'user-agent': firefox });

describe('trusted browsers', () => {
  let t: RouteTestService;
  let officeId: string;
  let offOfficeId: string;
  let admin: string;
  let auditor: string;
  let usernames = 0;
  const fresh = (prefix: string) => `${prefix}-${++usernames}`;

  const policy = (id: string, body: Json, token = admin, headers: Record<string, string> = {}) =>
    t.call('PUT', `/v1/offices/${id}/two-factor-policy`, { body, token, headers });
  const login = (body: Json, headers: Record<string, string> = { 'user-agent': firefox }) =>
    t.call('POST', '/v1/login', { body, headers });
  const auditOf = async (userId: string, type: string) => {
    const reply = await t.call('GET', `/v1/audit/events?userId=${userId}&type=${type}`, { token: auditor });
    expect(reply.statusCode, reply.body).toBe(200);
    return (reply.json() as { items: { type: string; data: Json; actor: Json }[] }).items;
  };

  /** An enrolled user who logged in with a code and trusted this browser: the token from the cookie. */
  const trustedUser = async (office = officeId) => {
    const username = fresh('trusting');
    const enrolled = await t.enrolledUser(office, username);
    const reply = await login({ username, password, code: codeAt(enrolled.secret), trustBrowser: true });
    expect(reply.statusCode, reply.body).toBe(200);
    return {
      ...enrolled,
      username,
      reply,
      token: tokenIn(trustCookieOf(reply)),
      session: reply.json().session,
    };
  };

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Trusting office');
    offOfficeId = await t.createOffice('Office without trust');
    await t.createUser(officeId, 'trust-admin', 'office-admin');
    await t.createUser(officeId, 'trust-auditor', 'auditor');
    admin = await t.signIn('trust-admin');
    auditor = await t.signIn('trust-auditor');
    const set = await policy(officeId, { required: false, trustBrowserDays: 30 });
    expect(set.statusCode, set.body).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('PUT /v1/offices/{id}/two-factor-policy with trustBrowserDays', () => {
    it('sets the days (200, in the policy and its new ETag), off by default', async () => {
      const office = await t.createOffice();
      await t.createUser(office, fresh('admin'), 'office-admin');
      const ownAdmin = await t.signIn(`admin-${usernames}`);
      const before = await t.call('GET', `/v1/offices/${office}/two-factor-policy`, { token: ownAdmin });
      expect(before.json()).toMatchObject({ trustBrowserDays: 0 });
      const reply = await policy(office, { required: true, trustBrowserDays: 14 }, ownAdmin, {
        'if-match': String(before.headers.etag),
      });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ required: true, trustBrowserDays: 14 });
      expect(reply.headers.etag).not.toBe(before.headers.etag);
      // Left out, the days stay.
      const again = await policy(office, { required: true }, ownAdmin);
      expect(again.json()).toMatchObject({ trustBrowserDays: 14 });
    });

    it('refuses more than 30, a negative number, a fraction or a string (400)', async () => {
      for (const trustBrowserDays of [31, -1, 1.5, '7'])
        expectInvalidRequest(
          await policy(officeId, { required: false, trustBrowserDays }),
          'trustBrowserDays',
        );
    });

    it('refuses a stale If-Match (412)', async () => {
      expectProblem(
        await policy(officeId, { required: false, trustBrowserDays: 30 }, admin, { 'if-match': '"0"' }),
        412,
        'revision-mismatch',
      );
    });

    it('is for the admin of the office only (401, 403)', async () => {
      const member = await t.signIn((await t.createUser(officeId, fresh('member'))) && `member-${usernames}`);
      expectProblem(
        await policy(officeId, { required: false, trustBrowserDays: 1 }, member),
        403,
        'not-permitted',
      );
      expectProblem(
        await t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
          body: { required: false, trustBrowserDays: 1 },
        }),
        401,
        'unauthenticated',
      );
    });
  });

  describe('trusting a browser at login', () => {
    it('offers the office’s days with the code step', async () => {
      const username = fresh('offered');
      await t.enrolledUser(officeId, username);
      const reply = await login({ username, password });
      expect(reply.json()).toMatchObject({ status: 'second-factor-required', trustBrowserDays: 30 });
    });

    it('trusts the browser with a right code: an HttpOnly, SameSite=Strict cookie of 256 bits, never in the body', async () => {
      const { reply, token, userId } = await trustedUser();
      const body = reply.json();
      expect(body).toMatchObject({
        status: 'authenticated',
        trustedBrowser: { browserId: expect.any(String), expiresAt: expect.any(String) },
      });
      const cookie = trustCookieOf(reply) ?? '';
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      // 30 days from the trust, less the moment between recording it and answering.
      const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
      expect(maxAge).toBeGreaterThan(30 * 86_400 - 600);
      expect(maxAge).toBeLessThanOrEqual(30 * 86_400);
      expect(cookie).toMatch(/Path=\//);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(reply.body).not.toContain(token);
      const [trusted] = await auditOf(userId, 'BrowserTrusted');
      expect(trusted?.data).toMatchObject({
        description: 'Firefox on Linux',
        deviceToken: '[in the browser only, not shown]',
      });
      expect(trusted?.data).not.toHaveProperty('tokenDigest');
      expect(JSON.stringify(trusted)).not.toContain(token);
    });

    it('trusts it in the second step too, with a recovery code', async () => {
      const username = fresh('two-step');
      const { recoveryCodes } = await t.enrolledUser(officeId, username);
      const first = await login({ username, password });
      const reply = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge: first.json().challenge, recoveryCode: recoveryCodes[0], trustBrowser: true },
        headers: { 'user-agent': firefox },
      });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({
        status: 'authenticated',
        trustedBrowser: { browserId: expect.any(String) },
      });
      expect(trustCookieOf(reply)).toBeDefined();
    });

    it('trusts nothing where the office has trust off', async () => {
      const username = fresh('no-trust');
      const { secret } = await t.enrolledUser(offOfficeId, username);
      expect((await login({ username, password })).json()).toMatchObject({ trustBrowserDays: 0 });
      const reply = await login({ username, password, code: codeAt(secret), trustBrowser: true });
      expect(reply.json()).toMatchObject({ status: 'authenticated' });
      expect(reply.json().trustedBrowser).toBeUndefined();
      expect(trustCookieOf(reply)).toBeUndefined();
    });

    it('trusts nothing with a wrong code (401)', async () => {
      const username = fresh('wrong-code');
      await t.enrolledUser(officeId, username);
      const reply = await login({ username, password, code: '000000', trustBrowser: true });
      expectProblem(reply, 401, 'invalid-code');
      expect(trustCookieOf(reply)).toBeUndefined();
    });
  });

  describe('logging in from a trusted browser', () => {
    it('skips the code with the right password, and records TrustedBrowserUsed', async () => {
      const { username, token, userId } = await trustedUser();
      const reply = await login({ username, password }, withDevice(token));
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ status: 'authenticated', viaTrustedBrowser: true });
      const [usedEvent] = await auditOf(userId, 'TrustedBrowserUsed');
      expect(usedEvent?.actor).toMatchObject({ id: userId });
    });

    it('answers a wrong password exactly as without a token (401)', async () => {
      const { username, token } = await trustedUser();
      const withToken = await login({ username, password: 'not the password 1' }, withDevice(token));
      const without = await login({ username, password: 'not the password 1' });
      const strip = (reply: LightMyRequestResponse) => {
        const { instance: _instance, requestId: _requestId, ...rest } = reply.json() as Json;
        return rest;
      };
      expectProblem(withToken, 401, 'invalid-credentials');
      expect(strip(withToken)).toEqual(strip(without));
    });

    it('asks for the code with another user’s token, a made-up token or a malformed one', async () => {
      const owner = await trustedUser();
      const other = await trustedUser();
      for (const token of [other.token, 'A'.repeat(43), 'not a token'])
        expect((await login({ username: owner.username, password }, withDevice(token))).json()).toMatchObject(
          {
            status: 'second-factor-required',
          },
        );
    });

    it('asks for the code once the office turns trust off, and the trusts end as events', async () => {
      const office = await t.createOffice();
      const adminName = fresh('off-admin');
      await t.createUser(office, adminName, 'office-admin');
      const ownAdmin = await t.signIn(adminName);
      expect((await policy(office, { required: false, trustBrowserDays: 7 }, ownAdmin)).statusCode).toBe(200);
      const { username, token, userId } = await trustedUser(office);
      expect((await policy(office, { required: false, trustBrowserDays: 0 }, ownAdmin)).statusCode).toBe(200);
      expect((await login({ username, password }, withDevice(token))).json()).toMatchObject({
        status: 'second-factor-required',
      });
      const [revoked] = await auditOf(userId, 'TrustedBrowserRevoked');
      expect(revoked?.data).toMatchObject({ why: 'policy-lowered' });
    });

    it('keeps a trust younger than a lowered limit (30 to 7 days)', async () => {
      const office = await t.createOffice();
      const adminName = fresh('lower-admin');
      await t.createUser(office, adminName, 'office-admin');
      const ownAdmin = await t.signIn(adminName);
      expect((await policy(office, { required: false, trustBrowserDays: 30 }, ownAdmin)).statusCode).toBe(
        200,
      );
      const { username, token, userId } = await trustedUser(office);
      expect((await policy(office, { required: false, trustBrowserDays: 7 }, ownAdmin)).statusCode).toBe(200);
      expect((await login({ username, password }, withDevice(token))).json()).toMatchObject({
        viaTrustedBrowser: true,
      });
      expect(await auditOf(userId, 'TrustedBrowserRevoked')).toEqual([]);
    });

    it('ends the trusts at a support reset', async () => {
      const { userId, username, token } = await trustedUser();
      await t.createUser(officeId, fresh('support'), 'support');
      const support = await t.signIn(`support-${usernames}`);
      const reset = await t.call('POST', `/v1/support/users/${userId}/two-factor-reset`, {
        body: { reason: 'lost phone', ticket: 'T-1' },
        token: support,
      });
      expect(reset.statusCode, reset.body).toBe(200);
      expect((await auditOf(userId, 'TrustedBrowserRevoked'))[0]?.data).toMatchObject({ why: 'reset' });
      // Not enrolled any more: password only, and no skip recorded.
      await login({ username, password }, withDevice(token));
      expect(await auditOf(userId, 'TrustedBrowserUsed')).toEqual([]);
    });
  });

  describe('a new password', () => {
    const newPassword = 'a brand new passphrase';
    const asksForTheCode = async (username: string, token: string) =>
      expect((await login({ username, password: newPassword }, withDevice(token))).json()).toMatchObject({
        status: 'second-factor-required',
      });

    it('ends the trusts when the user changes their own password (recorded as the user)', async () => {
      const { username, token, session, userId, secret } = await trustedUser();
      const change = await t.call('PUT', '/v1/me/password', {
        token: session,
        // The login used the current step's code: the next step's is still fresh.
        body: { currentPassword: password, newPassword, code: codeAt(secret, 1) },
      });
      expect(change.statusCode, change.body).toBe(204);
      await asksForTheCode(username, token);
      const [revoked] = await auditOf(userId, 'TrustedBrowserRevoked');
      expect(revoked).toMatchObject({ data: { why: 'password-changed' }, actor: { id: userId } });
      expect(await auditOf(userId, 'TrustedBrowserUsed')).toEqual([]);
    });

    it('ends the trusts when the platform sets a new password', async () => {
      const { username, token, userId } = await trustedUser();
      const set = await t.platform('PUT', `/v1/platform/users/${userId}/password`, { password: newPassword });
      expect(set.statusCode, set.body).toBe(204);
      await asksForTheCode(username, token);
      const [revoked] = await auditOf(userId, 'TrustedBrowserRevoked');
      expect(revoked).toMatchObject({ data: { why: 'password-changed' }, actor: { role: 'platform' } });
    });
  });

  describe('GET /v1/me/trusted-browsers and DELETE /v1/me/trusted-browsers/{id}', () => {
    it('lists the trusts, marks this browser, and revokes one (204); its next login asks for the code', async () => {
      const { username, token, session, userId } = await trustedUser();
      const list = await t.call('GET', '/v1/me/trusted-browsers', {
        token: session,
        headers: withDevice(token),
      });
      expect(list.statusCode, list.body).toBe(200);
      const [item] = list.json().items;
      expect(item).toMatchObject({ description: 'Firefox on Linux', current: true, lastUsedAt: null });
      expect(list.body).not.toContain(token);
      const revoke = await t.call('DELETE', `/v1/me/trusted-browsers/${item.browserId}`, {
        token: session,
        headers: withDevice(token),
      });
      expect(revoke.statusCode, revoke.body).toBe(204);
      expect(trustCookieOf(revoke)).toMatch(/^sf_trusted_browser=;/);
      expect((await t.call('GET', '/v1/me/trusted-browsers', { token: session })).json()).toEqual({
        items: [],
      });
      expect((await login({ username, password }, withDevice(token))).json()).toMatchObject({
        status: 'second-factor-required',
      });
      expect((await auditOf(userId, 'TrustedBrowserRevoked'))[0]?.data).toMatchObject({ why: 'by-user' });
    });

    it('answers 404 for a trust that is not the user’s, or gone', async () => {
      const owner = await trustedUser();
      const other = await trustedUser();
      const ownerItem = (await t.call('GET', '/v1/me/trusted-browsers', { token: owner.session })).json()
        .items[0];
      expectProblem(
        await t.call('DELETE', `/v1/me/trusted-browsers/${ownerItem.browserId}`, { token: other.session }),
        404,
        'trusted-browser-not-found',
      );
      expectProblem(
        await t.call('DELETE', '/v1/me/trusted-browsers/00000000-0000-4000-8000-000000000000', {
          token: owner.session,
        }),
        404,
        'trusted-browser-not-found',
      );
    });

    it('refuses a malformed id (400) and callers without a session (401)', async () => {
      const { session } = await trustedUser();
      expectInvalidRequest(
        await t.call('DELETE', `/v1/me/trusted-browsers/${encodeURIComponent('not an id!')}`, {
          token: session,
        }),
        'browserId',
      );
      expectProblem(await t.call('GET', '/v1/me/trusted-browsers'), 401, 'unauthenticated');
      expectProblem(
        await t.call('DELETE', '/v1/me/trusted-browsers/00000000-0000-4000-8000-000000000000'),
        401,
        'unauthenticated',
      );
    });
  });
});

describe('device throttling (OWASP device cookies)', () => {
  let t: RouteTestService;
  let officeId: string;

  beforeAll(async () => {
    t = await startRouteTestService({ LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '3' });
    officeId = await t.createOffice('Throttled office');
    await t.createUser(officeId, 'throttle-admin', 'office-admin');
    const admin = await t.signIn('throttle-admin');
    const set = await t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      body: { required: false, trustBrowserDays: 30 },
      token: admin,
    });
    expect(set.statusCode, set.body).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a stranger exhausting the per-account limit does not stop the owner’s trusted browser', async () => {
    const { secret } = await t.enrolledUser(officeId, 'owner');
    const trusting = await t.call('POST', '/v1/login', {
      body: { username: 'owner', password, code: codeAt(secret), trustBrowser: true },
      headers: { 'user-agent': firefox },
    });
    const token = tokenIn(trustCookieOf(trusting));
    for (let attempt = 0; attempt < 3; attempt++)
      await t.call('POST', '/v1/login', { body: { username: 'owner', password: `guess ${attempt} wrong` } });
    expectProblem(
      await t.call('POST', '/v1/login', { body: { username: 'owner', password } }),
      429,
      'too-many-attempts',
    );
    // A made-up token is no way around the account's limit.
    expectProblem(
      await t.call('POST', '/v1/login', {
        body: { username: 'owner', password },
        headers: withDevice('B'.repeat(43)),
      }),
      429,
      'too-many-attempts',
    );
    const owner = await t.call('POST', '/v1/login', {
      body: { username: 'owner', password },
      headers: withDevice(token),
    });
    expect(owner.statusCode, owner.body).toBe(200);
    expect(owner.json()).toMatchObject({ status: 'authenticated', viaTrustedBrowser: true });
  });
});

describe('the device token cookie when Secure (COOKIE_SECURE=always)', () => {
  let t: RouteTestService;

  beforeAll(async () => {
    t = await startRouteTestService({ COOKIE_SECURE: 'always' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is __Host-sf_trusted_browser, Secure, and read back under that name only', async () => {
    const officeId = await t.createOffice('Secure office');
    await t.createUser(officeId, 'secure-admin', 'office-admin');
    const admin = await t.signIn('secure-admin');
    await t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      body: { required: false, trustBrowserDays: 1 },
      token: admin,
    });
    const { secret } = await t.enrolledUser(officeId, 'secure-user');
    const trusting = await t.call('POST', '/v1/login', {
      body: { username: 'secure-user', password, code: codeAt(secret), trustBrowser: true },
    });
    const cookie = setCookies(trusting).find((c) => c.startsWith('__Host-sf_trusted_browser='));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    const token = tokenIn(cookie);
    const plainName = await t.call('POST', '/v1/login', {
      body: { username: 'secure-user', password },
      headers: { cookie: `sf_trusted_browser=${token}` },
    });
    expect(plainName.json()).toMatchObject({ status: 'second-factor-required' });
    const secureName = await t.call('POST', '/v1/login', {
      body: { username: 'secure-user', password },
      headers: { cookie: `__Host-sf_trusted_browser=${token}` },
    });
    expect(secureName.json()).toMatchObject({ status: 'authenticated', viaTrustedBrowser: true });
  });
});
