import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../../src/application/ports/clock.ts';
import { codeAt } from '../../../support/totp-codes.ts';
import {
  apiKey,
  expectInvalidRequest,
  expectProblem,
  type Json,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

/** The system clock until a test fixes it (to stand exactly at a campaign's deadline). */
class SettableClock implements Clock {
  fixed: number | null = null;
  now(): Date {
    return new Date(this.fixed ?? Date.now());
  }
}

const day = 24 * 60 * 60 * 1000;
const trustCookie = 'sf_trusted_browser';
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

const setCookies = (reply: LightMyRequestResponse): string[] => {
  const header = reply.headers['set-cookie'];
  return header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
};

describe('re-enrolment campaign routes and their effect on logins', () => {
  const clock = new SettableClock();
  let t: RouteTestService;
  let officeId: string;
  let admin: string;
  let support: string;
  let auditor: string;
  let otherAdmin: string;
  let eva: { userId: string; token: string; secret: string };
  let finn: { userId: string; token: string; secret: string };
  type Enrolled = Awaited<ReturnType<RouteTestService['enrolledUser']>>;
  /** Old enrolments for the tests from the deadline on; hugo trusted a browser before the campaign. */
  const overdue: Record<'gina' | 'ida' | 'jan' | 'hugo', Enrolled> = {} as never;
  let hugoDeviceToken: string;
  let deadline: string;

  const campaign = (token: string | undefined, body: unknown, office = officeId) =>
    t.call('POST', `/v1/offices/${office}/reenrollment`, { body, ...(token === undefined ? {} : { token }) });
  const end = (token: string | undefined, office = officeId) =>
    t.call('DELETE', `/v1/offices/${office}/reenrollment`, token === undefined ? {} : { token });
  const login = (
    username: string,
    code?: string,
    extra: { body?: Json; headers?: Record<string, string> } = {},
  ) =>
    t.call('POST', '/v1/login', {
      body: { username, password, ...(code === undefined ? {} : { code }), ...extra.body },
      headers: { 'user-agent': firefox, ...extra.headers },
    });
  const secondFactor = (body: Json) => t.call('POST', '/v1/login/second-factor', { body });
  const codeOf = (secret: string, step: number) => codeAt(secret, step, clock.now().getTime());
  /** The answer of an overdue login's code step: the enrolment screen, and nothing that signs in. */
  const expectSentToEnrol = (reply: LightMyRequestResponse): string => {
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toEqual({ status: 'enrollment-required', challenge: expect.any(String) });
    expect(setCookies(reply)).toEqual([]);
    return (reply.json() as { challenge: string }).challenge;
  };
  const reportRow = async (username: string) => {
    const report = (await t.call('GET', `/v1/offices/${officeId}/compliance`, { token: admin })).json() as {
      items: Json[];
      reenrollmentProgress: Json | null;
    };
    return {
      row: report.items.find((item) => item.username === username),
      progress: report.reenrollmentProgress,
    };
  };
  /** Enrols a new authenticator for a session or a held-back login; returns its secret. */
  const enrolAgain = async (auth: { token: string } | { challenge: string }) => {
    const proof = 'token' in auth ? { password } : { challenge: auth.challenge };
    const options = 'token' in auth ? { token: auth.token } : {};
    const started = await t.call('POST', '/v1/me/two-factor/enrollment', { body: proof, ...options });
    expect(started.statusCode, started.body).toBe(200);
    const { enrollmentId, secret } = started.json() as { enrollmentId: string; secret: string };
    const extra = 'token' in auth ? {} : { challenge: auth.challenge };
    const confirmed = await t.call('POST', '/v1/me/two-factor/enrollment/confirm', {
      body: { enrollmentId, code: codeAt(secret, -1, clock.now().getTime()), ...extra },
      ...options,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    return { secret, answer: confirmed.json() as Json };
  };

  beforeAll(async () => {
    t = await startRouteTestService({}, { clock });
    officeId = await t.createOffice('Kantoor Gent');
    const otherOfficeId = await t.createOffice('Kantoor Brugge');
    await t.createUser(officeId, 'anna', 'office-admin');
    await t.createUser(otherOfficeId, 'otto', 'office-admin');
    await t.createUser(otherOfficeId, 'sam', 'support');
    await t.createUser(otherOfficeId, 'aud', 'auditor');
    await t.createUser(officeId, 'nina');
    eva = await t.enrolledUser(officeId, 'eva');
    finn = await t.enrolledUser(officeId, 'finn');
    for (const name of ['gina', 'ida', 'jan', 'hugo'] as const)
      overdue[name] = await t.enrolledUser(officeId, name);
    admin = await t.signIn('anna');
    const trusting = await t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      body: { required: false, trustBrowserDays: 30 },
      token: admin,
    });
    expect(trusting.statusCode, trusting.body).toBe(200);
    const trusted = await login('hugo', codeOf(overdue.hugo.secret, 0), { body: { trustBrowser: true } });
    const cookie = setCookies(trusted).find((line) => line.startsWith(`${trustCookie}=`));
    hugoDeviceToken = /^[^=]+=([^;]*)/.exec(cookie ?? '')?.[1] ?? '';
    expect(hugoDeviceToken).not.toBe('');
    otherAdmin = await t.signIn('otto');
    support = await t.signIn('sam');
    auditor = await t.signIn('aud');
    // Enrolments from before the campaign: at least one millisecond older than its start.
    await new Promise((resolve) => setTimeout(resolve, 5));
    deadline = new Date(Date.now() + day).toISOString();
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('POST /v1/offices/{officeId}/reenrollment', () => {
    it('refuses members, auditors and admins of other offices (403), and callers without a session (401)', async () => {
      const member = await t.signIn('nina');
      for (const token of [member, auditor, otherAdmin])
        expectProblem(await campaign(token, { deadline, reason: 'x' }), 403, 'not-permitted');
      expectProblem(await campaign(undefined, { deadline, reason: 'x' }), 401, 'unauthenticated');
    });

    it('refuses a missing reason, a malformed deadline (400) and a deadline in the past (400)', async () => {
      expectInvalidRequest(await campaign(admin, { deadline }), 'reason');
      expectInvalidRequest(await campaign(admin, { deadline: 'next week', reason: 'x' }), 'deadline');
      expectProblem(
        await campaign(admin, { deadline: new Date(Date.now() - 1000).toISOString(), reason: 'x' }),
        400,
        'deadline-in-past',
      );
      expectProblem(await campaign(admin, { deadline, reason: '   ' }), 400, 'invalid-command');
    });

    it('answers 404 for an unknown office', async () => {
      expectProblem(
        await campaign(support, { deadline, reason: 'x' }, 'no-such-office'),
        404,
        'office-not-found',
      );
    });

    it('the admin starts one (200); a second one while it runs is refused (409)', async () => {
      const reply = await campaign(admin, { deadline, reason: 'phishing wave' });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ officeId, reenrollment: { deadline, reason: 'phishing wave' } });
      expectProblem(await campaign(support, { deadline, reason: 'again' }), 409, 'reenrollment-in-progress');
    });
  });

  describe('before the deadline', () => {
    it('an old enrolment still logs in with its code, and both answers carry the deadline', async () => {
      const first = await login('eva');
      expect(first.json()).toMatchObject({
        status: 'second-factor-required',
        reenrollmentDeadline: deadline,
      });
      const { challenge } = first.json() as { challenge: string };
      const second = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge, code: codeAt(eva.secret, 0, clock.now().getTime()) },
      });
      expect(second.statusCode, second.body).toBe(200);
      expect(second.json()).toMatchObject({ status: 'authenticated', reenrollmentDeadline: deadline });
    });

    it('the report shows the old enrolments as due by the deadline', async () => {
      const { row, progress } = await reportRow('eva');
      expect(row).toMatchObject({ status: 'due', deadline });
      expect(progress).toEqual({ renewed: 0, remaining: 6 });
    });

    it('enrolling again replaces the secret: the old codes stop working, the reminder goes', async () => {
      const token = await (async () => {
        const first = await login('eva', codeAt(eva.secret, 1, clock.now().getTime()));
        expect(first.statusCode, first.body).toBe(200);
        return (first.json() as { session: string }).session;
      })();
      const { secret } = await enrolAgain({ token });
      const next = await login('eva');
      expect(next.json()).toMatchObject({ status: 'second-factor-required' });
      expect(next.json()).not.toHaveProperty('reenrollmentDeadline');
      const { challenge } = next.json() as { challenge: string };
      const old = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge, code: codeAt(eva.secret, 0, clock.now().getTime()) },
      });
      expectProblem(old, 401, 'invalid-code');
      const fresh = await t.call('POST', '/v1/login/second-factor', {
        body: { challenge, code: codeAt(secret, 0, clock.now().getTime()) },
      });
      expect(fresh.statusCode, fresh.body).toBe(200);
      const { row, progress } = await reportRow('eva');
      expect(row).toMatchObject({ status: 'compliant', deadline: null });
      expect(progress).toEqual({ renewed: 1, remaining: 5 });
    });
  });

  describe('from the deadline on (the clock exactly at it)', () => {
    beforeAll(async () => {
      clock.fixed = Date.parse(deadline);
      // A day on, the sessions of before have ended.
      admin = await t.signIn('anna');
      support = await t.signIn('sam');
      auditor = await t.signIn('aud');
      otherAdmin = await t.signIn('otto');
    });

    it('the password alone asks for the old code, never the enrolment screen; the platform check stays closed', async () => {
      const requirements = await t.call('GET', `/v1/platform/users/${finn.userId}/login-requirements`, {
        headers: { 'x-api-key': apiKey },
      });
      expect(requirements.json()).toMatchObject({ secondFactor: 'enrollment-required' });
      const reply = await login('finn');
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({
        status: 'second-factor-required',
        trustBrowserDays: 0,
        reenrollmentDeadline: deadline,
      });
      expect(setCookies(reply)).toEqual([]);
      // The login's challenge is not an enrolment one: the password alone cannot enrol an authenticator.
      const { challenge } = reply.json() as { challenge: string };
      expectProblem(
        await t.call('POST', '/v1/me/two-factor/enrollment', { body: { challenge } }),
        401,
        'invalid-challenge',
      );
      expect((await reportRow('finn')).row).toMatchObject({ status: 'overdue', deadline });
    });

    it('POST /v1/login with the old code: the enrolment screen, no session; enrolling replaces the secret', async () => {
      const wrong = String((Number(codeOf(finn.secret, 0)) + 3) % 1_000_000).padStart(6, '0');
      expectProblem(await login('finn', wrong), 401, 'invalid-code');
      const enrolment = expectSentToEnrol(await login('finn', codeOf(finn.secret, 0)));
      const { secret, answer } = await enrolAgain({ challenge: enrolment });
      expect(answer.session).toEqual(expect.any(String));
      expectProblem(await login('finn', codeOf(finn.secret, 1)), 401, 'invalid-code');
      const after = await login('finn', codeOf(secret, 1));
      expect(after.json()).toMatchObject({ status: 'authenticated' });
      expect(after.json()).not.toHaveProperty('reenrollmentDeadline');
      expect((await reportRow('finn')).row).toMatchObject({ status: 'compliant' });
    });

    it('POST /v1/login/second-factor: a wrong code is refused (401), the right one trades the challenge', async () => {
      const { secret } = overdue.gina;
      const first = await login('gina');
      expect(first.json()).toMatchObject({ status: 'second-factor-required' });
      const { challenge } = first.json() as { challenge: string };
      const wrong = String((Number(codeOf(secret, 0)) + 1) % 1_000_000).padStart(6, '0');
      expectProblem(await secondFactor({ challenge, code: wrong }), 401, 'invalid-code');
      const enrolment = expectSentToEnrol(await secondFactor({ challenge, code: codeOf(secret, 0) }));
      expectProblem(await secondFactor({ challenge, code: codeOf(secret, 1) }), 401, 'invalid-challenge');
      const renewed = await enrolAgain({ challenge: enrolment });
      expect(renewed.answer.session).toEqual(expect.any(String));
      const next = (await login('gina')).json() as { challenge: string };
      expectProblem(
        await secondFactor({ challenge: next.challenge, code: codeOf(secret, 1) }),
        401,
        'invalid-code',
      );
    });

    it('a recovery code of the old enrolment also leads to the enrolment screen', async () => {
      const { challenge } = (await login('ida')).json() as { challenge: string };
      const enrolment = expectSentToEnrol(
        await secondFactor({ challenge, recoveryCode: overdue.ida.recoveryCodes[0] }),
      );
      expect((await enrolAgain({ challenge: enrolment })).answer.session).toEqual(expect.any(String));
    });

    it('wrong codes count toward the lock-out as on any login (429 after five)', async () => {
      const { secret } = overdue.jan;
      const wrong = String((Number(codeOf(secret, 0)) + 7) % 1_000_000).padStart(6, '0');
      const { challenge } = (await login('jan')).json() as { challenge: string };
      for (let attempt = 1; attempt <= 4; attempt++)
        expectProblem(await secondFactor({ challenge, code: wrong }), 401, 'invalid-code');
      expectProblem(await secondFactor({ challenge, code: wrong }), 429, 'locked-out');
      expectProblem(await login('jan', codeOf(secret, 0)), 429, 'locked-out');
    });

    it('a trusted browser skips neither the code nor the enrolment, and the code step ends its trust', async () => {
      const device = { headers: { cookie: `${trustCookie}=${hugoDeviceToken}` } };
      const skipped = await login('hugo', undefined, device);
      expect(skipped.statusCode, skipped.body).toBe(200);
      expect(skipped.json()).toMatchObject({ status: 'second-factor-required', trustBrowserDays: 0 });
      const withCode = await login('hugo', codeOf(overdue.hugo.secret, 1), {
        ...device,
        body: { trustBrowser: true },
      });
      const enrolment = expectSentToEnrol(withCode);
      const audit = await t.call(
        'GET',
        `/v1/audit/events?userId=${overdue.hugo.userId}&type=TrustedBrowserRevoked`,
        {
          token: auditor,
        },
      );
      expect(audit.statusCode, audit.body).toBe(200);
      expect((audit.json() as { items: { data: Json }[] }).items.map((item) => item.data.why)).toEqual([
        'reenrolment-deadline',
      ]);
      const used = await t.call(
        'GET',
        `/v1/audit/events?userId=${overdue.hugo.userId}&type=TrustedBrowserUsed`,
        {
          token: auditor,
        },
      );
      expect((used.json() as { items: unknown[] }).items).toEqual([]);
      expect((await enrolAgain({ challenge: enrolment })).answer.session).toEqual(expect.any(String));
    });

    it('a member who never enrolled in an office that does not require 2FA is not affected', async () => {
      expect((await login('nina')).json()).toMatchObject({ status: 'authenticated' });
      expect((await reportRow('nina')).row).toMatchObject({ status: 'not-required' });
    });
  });

  describe('DELETE /v1/offices/{officeId}/reenrollment', () => {
    it('refuses members, auditors and other offices (403), callers without a session (401), unknown offices (404)', async () => {
      for (const token of [auditor, otherAdmin]) expectProblem(await end(token), 403, 'not-permitted');
      expectProblem(await end(undefined), 401, 'unauthenticated');
      expectProblem(await end(support, 'no-such-office'), 404, 'office-not-found');
    });

    it('support ends it (200); ending again is refused (409); a new one may start', async () => {
      const reply = await end(support);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ officeId, reenrollment: null });
      expectProblem(await end(admin), 409, 'no-reenrollment');
      clock.fixed = null;
      const again = await campaign(support, {
        deadline: new Date(Date.now() + day).toISOString(),
        reason: 'audit',
      });
      expect(again.statusCode, again.body).toBe(200);
    });
  });
});
