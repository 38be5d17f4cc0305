import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, password, startHarness } from '../support/service-harness.ts';
import { codeAt, waitForStepWithAtLeast } from '../support/totp-codes.ts';

describe('proofs, sessions and concurrent changes', () => {
  let h: Harness;
  let officeId: string;

  beforeAll(async () => {
    h = await startHarness();
    officeId = await h.office();
  });
  afterAll(async () => h?.stop());

  it('S13 starting an enrolment with a session needs the current password as fresh proof', async () => {
    await h.user(officeId, 'proof.enrol');
    const session = await h.sessionOf('proof.enrol');
    const wrong = await h.call('POST', '/v1/me/two-factor/enrollment', {
      body: { password: 'not it' },
      token: session,
    });
    expect(wrong.status).toBe(401);
    const none = await h.call('POST', '/v1/me/two-factor/enrollment', { body: {}, token: session });
    expect(none.status).toBeGreaterThanOrEqual(400);
    expect(none.status).toBeLessThan(500);
    const right = await h.call('POST', '/v1/me/two-factor/enrollment', {
      body: { password },
      token: session,
    });
    expect(right.status).toBe(200);
  });

  it('S13 disabling needs the current password or a current code', async () => {
    await h.user(officeId, 'proof.disable');
    const { session } = await h.enrol('proof.disable');
    const wrongPassword = await h.call('DELETE', '/v1/me/two-factor', {
      body: { password: 'not it' },
      token: session,
    });
    expect(wrongPassword.status).toBe(401);
    const wrongCode = await h.call('DELETE', '/v1/me/two-factor', {
      body: { code: '000000' },
      token: session,
    });
    expect(wrongCode.status).toBe(401);
    const noProof = await h.call('DELETE', '/v1/me/two-factor', { body: {}, token: session });
    expect(noProof.status).toBe(400);
    expect((await h.call('GET', '/v1/me/two-factor', { token: session })).body.enabled).toBe(true);
  });

  it('S14 disabling ends the user’s other sessions and keeps the one that did it', async () => {
    await h.user(officeId, 'ends.sessions');
    await waitForStepWithAtLeast(15);
    const { session, secret } = await h.enrol('ends.sessions');
    const login = await h.login('ends.sessions');
    const other = await h.call('POST', '/v1/login/second-factor', {
      body: { challenge: login.body.challenge, code: codeAt(secret, 0) },
    });
    const otherSession = other.body.session as string;
    expect((await h.call('GET', '/v1/me', { token: otherSession })).status).toBe(200);
    expect((await h.call('DELETE', '/v1/me/two-factor', { body: { password }, token: session })).status).toBe(
      204,
    );
    expect((await h.call('GET', '/v1/me', { token: otherSession })).status).toBe(401);
    expect((await h.call('GET', '/v1/me', { token: session })).status).toBe(200);
  });

  it('S14 a support reset ends all of the user’s sessions', async () => {
    const userId = await h.user(officeId, 'reset.sessions');
    await h.user(officeId, 'support.s14', 'support');
    const { session } = await h.enrol('reset.sessions');
    const support = await h.sessionOf('support.s14');
    const reset = await h.call('POST', `/v1/support/users/${userId}/two-factor-reset`, {
      body: { reason: 'new phone', ticket: 'S14' },
      token: support,
    });
    expect(reset.status).toBe(200);
    expect((await h.call('GET', '/v1/me', { token: session })).status).toBe(401);
  });

  it('S17 two admins changing the policy from the same version: one wins, the other gets 412, nothing is lost', async () => {
    await h.user(officeId, 'admin.one', 'office-admin');
    await h.user(officeId, 'admin.two', 'office-admin');
    const [one, two] = [await h.sessionOf('admin.one'), await h.sessionOf('admin.two')];
    const read = await h.call('GET', `/v1/offices/${officeId}/two-factor-policy`, { token: one });
    const etag = String(read.headers.etag);
    const [first, second] = await Promise.all([
      h.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
        body: { required: true },
        token: one,
        headers: { 'if-match': etag },
      }),
      h.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
        body: { required: true, enforceFrom: '2030-01-01T00:00:00.000Z' },
        token: two,
        headers: { 'if-match': etag },
      }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
    const winner = first.status === 200 ? first : second;
    const now = await h.call('GET', `/v1/offices/${officeId}/two-factor-policy`, { token: one });
    expect(now.body.enforceFrom).toBe(winner.body.enforceFrom);
  });

  it('S17 concurrent commands on one user without If-Match are retried: all land, none lost', async () => {
    const calmOffice = await h.office('Office without a requirement');
    const userId = await h.user(calmOffice, 'busy.user');
    await h.enrol('busy.user');
    const attempts = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const login = await h.login('busy.user');
        return h.call('POST', '/v1/login/second-factor', {
          body: { challenge: login.body.challenge, code: '000000' },
        });
      }),
    );
    expect(attempts.every((reply) => reply.status === 401 || reply.status === 429)).toBe(true);
    await h.user(calmOffice, 'auditor.s17', 'auditor');
    const auditor = await h.sessionOf('auditor.s17');
    const rejected = await h.call(
      'GET',
      `/v1/audit/events?userId=${userId}&type=SecondFactorRejected&limit=100`,
      {
        token: auditor,
      },
    );
    const failures = (rejected.body.items as { data: { consecutiveFailures: number } }[]).map(
      (event) => event.data.consecutiveFailures,
    );
    // Each rejection saw the one before it: consecutive counts 1..n with no gap or repeat.
    expect(failures.length).toBeGreaterThanOrEqual(5);
    expect(failures).toEqual(failures.map((_, index) => index + 1));
  });
});
