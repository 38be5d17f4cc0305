import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectInvalidRequest,
  expectProblem,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

type Policy = {
  officeId: string;
  name: string;
  required: boolean;
  enforceFrom: string | null;
  revision: number;
};

describe('office routes', () => {
  let t: RouteTestService;
  let offices = 0;

  /** A fresh office with its admin signed in, so tests do not share a policy. */
  const officeWithAdmin = async () => {
    const n = ++offices;
    const officeId = await t.createOffice(`Office ${n}`);
    await t.createUser(officeId, `admin-${n}`, 'office-admin');
    return { officeId, name: `Office ${n}`, admin: await t.signIn(`admin-${n}`) };
  };
  const getPolicy = (officeId: string, token: string) =>
    t.call('GET', `/v1/offices/${officeId}/two-factor-policy`, { token });
  const putPolicy = (officeId: string, token: string, body: unknown, ifMatch?: string) =>
    t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      body,
      token,
      ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
    });

  let other: Awaited<ReturnType<typeof officeWithAdmin>>;

  beforeAll(async () => {
    t = await startRouteTestService();
    other = await officeWithAdmin();
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('GET /v1/offices/{officeId}/two-factor-policy', () => {
    it("shows the admin their office's policy with its revision as ETag (200)", async () => {
      const { officeId, name, admin } = await officeWithAdmin();
      const reply = await getPolicy(officeId, admin);
      expect(reply.statusCode, reply.body).toBe(200);
      const policy = reply.json() as Policy;
      expect(policy).toMatchObject({ officeId, name, required: false, enforceFrom: null });
      expect(reply.headers.etag).toBe(`"${policy.revision}"`);
    });

    it('refuses an admin of another office (403 not-permitted)', async () => {
      const { officeId } = await officeWithAdmin();
      expectProblem(await getPolicy(officeId, other.admin), 403, 'not-permitted');
    });

    it('refuses an office that does not exist without telling so (403 not-permitted)', async () => {
      expectProblem(await getPolicy('no-such-office', other.admin), 403, 'not-permitted');
    });

    it('refuses a member who is no admin (403 not-permitted)', async () => {
      const { officeId } = await officeWithAdmin();
      await t.createUser(officeId, `plain-${offices}`);
      expectProblem(await getPolicy(officeId, await t.signIn(`plain-${offices}`)), 403, 'not-permitted');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('GET', `/v1/offices/${other.officeId}/two-factor-policy`),
        401,
        'unauthenticated',
      );
    });

    it('refuses an office id with forbidden characters (400 invalid-request)', async () => {
      expectInvalidRequest(await getPolicy('bad%20id', other.admin), 'officeId');
    });
  });

  describe('PUT /v1/offices/{officeId}/two-factor-policy', () => {
    it('requires 2FA at once and answers the new policy with a newer ETag (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const before = (await getPolicy(officeId, admin)).json() as Policy;
      const reply = await putPolicy(officeId, admin, { required: true });
      expect(reply.statusCode, reply.body).toBe(200);
      const policy = reply.json() as Policy;
      expect(policy).toMatchObject({ officeId, required: true, enforceFrom: null });
      expect(policy.revision).toBeGreaterThan(before.revision);
      expect(reply.headers.etag).toBe(`"${policy.revision}"`);
      expect((await getPolicy(officeId, admin)).json()).toEqual(policy);
    });

    it('requires 2FA from a deadline, normalized to UTC (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const reply = await putPolicy(officeId, admin, {
        required: true,
        enforceFrom: '2031-01-02T03:04:05+02:00',
      });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ required: true, enforceFrom: '2031-01-02T01:04:05.000Z' });
    });

    it('refuses a new deadline in the past (400 enforce-from-in-past) and keeps the policy', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const yesterday = new Date(Date.now() - 86_400_000).toISOString();
      expectProblem(
        await putPolicy(officeId, admin, { required: true, enforceFrom: yesterday }),
        400,
        'enforce-from-in-past',
      );
      expect((await getPolicy(officeId, admin)).json()).toMatchObject({ required: false, enforceFrom: null });
    });

    it('lifts the requirement and forgets the deadline (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      await putPolicy(officeId, admin, { required: true, enforceFrom: '2031-01-01T00:00:00Z' });
      const reply = await putPolicy(officeId, admin, { required: false });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ required: false, enforceFrom: null });
    });

    it('ignores a deadline sent with required: false (200, enforceFrom null)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const reply = await putPolicy(officeId, admin, {
        required: false,
        enforceFrom: '2031-01-01T00:00:00Z',
      });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ required: false, enforceFrom: null });
    });

    it('changes nothing when the policy is the same already (200, same revision)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const first = (await putPolicy(officeId, admin, { required: true })).json() as Policy;
      const again = await putPolicy(officeId, admin, { required: true });
      expect(again.statusCode).toBe(200);
      expect((again.json() as Policy).revision).toBe(first.revision);
    });

    it('accepts the current ETag in If-Match (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const etag = (await getPolicy(officeId, admin)).headers.etag as string;
      const reply = await putPolicy(officeId, admin, { required: true }, etag);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ required: true });
    });

    it('accepts a weak ETag of the current revision (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const etag = (await getPolicy(officeId, admin)).headers.etag as string;
      const reply = await putPolicy(officeId, admin, { required: true }, `W/${etag}`);
      expect(reply.statusCode, reply.body).toBe(200);
    });

    it('accepts a change without If-Match: last write wins (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      expect((await putPolicy(officeId, admin, { required: true })).statusCode).toBe(200);
      expect((await putPolicy(officeId, admin, { required: false })).statusCode).toBe(200);
    });

    it('refuses a stale If-Match and tells the current revision (412 revision-mismatch)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const stale = (await getPolicy(officeId, admin)).headers.etag as string;
      const changed = (await putPolicy(officeId, admin, { required: true })).json() as Policy;
      const reply = await putPolicy(officeId, admin, { required: false }, stale);
      const body = expectProblem(reply, 412, 'revision-mismatch');
      expect(body.currentRevision).toBe(changed.revision);
      expect((await getPolicy(officeId, admin)).json()).toMatchObject({ required: true });
    });

    it('refuses an If-Match that is no ETag (412 revision-mismatch)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      expectProblem(await putPolicy(officeId, admin, { required: true }, 'abc'), 412, 'revision-mismatch');
    });

    it('refuses If-Match: * since it names no revision (412 revision-mismatch)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      expectProblem(await putPolicy(officeId, admin, { required: true }, '*'), 412, 'revision-mismatch');
    });

    it('refuses an over-long If-Match (400 invalid-request)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const reply = await putPolicy(officeId, admin, { required: true }, `"${'1'.repeat(50)}"`);
      expectInvalidRequest(reply, 'if-match');
    });

    it('refuses an admin of another office (403 not-permitted)', async () => {
      const { officeId } = await officeWithAdmin();
      expectProblem(await putPolicy(officeId, other.admin, { required: true }), 403, 'not-permitted');
    });

    it('refuses an office that does not exist (403 not-permitted)', async () => {
      expectProblem(await putPolicy('no-such-office', other.admin, { required: true }), 403, 'not-permitted');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      const reply = await t.call('PUT', `/v1/offices/${other.officeId}/two-factor-policy`, {
        body: { required: true },
      });
      expectProblem(reply, 401, 'unauthenticated');
    });

    it('refuses a body without required (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await putPolicy(other.officeId, other.admin, {}), 'required');
    });

    it('refuses a required that is no boolean (400 invalid-request)', async () => {
      expectInvalidRequest(await putPolicy(other.officeId, other.admin, { required: 'yes' }), 'required');
    });

    it('refuses a deadline that is no ISO date-time (400 invalid-request naming it)', async () => {
      const reply = await putPolicy(other.officeId, other.admin, {
        required: true,
        enforceFrom: 'next monday',
      });
      expectInvalidRequest(reply, 'enforceFrom');
    });

    it('refuses a deadline without a time zone (400 invalid-request)', async () => {
      const reply = await putPolicy(other.officeId, other.admin, {
        required: true,
        enforceFrom: '2031-01-01',
      });
      expectInvalidRequest(reply, 'enforceFrom');
    });

    it('refuses unknown fields (400 invalid-request)', async () => {
      expectProblem(
        await putPolicy(other.officeId, other.admin, { required: true, name: 'x' }),
        400,
        'invalid-request',
      );
    });

    for (const enforceFrom of ['0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00']) {
      it(`refuses a deadline that leaves the years 0000-9999 in UTC, ${enforceFrom} (400 invalid-request)`, async () => {
        const { officeId, admin } = await officeWithAdmin();
        expectInvalidRequest(
          await putPolicy(officeId, admin, { required: true, enforceFrom }),
          'enforceFrom',
        );
        // The policy is untouched and still changes: nothing unreadable was stored.
        expect((await putPolicy(officeId, admin, { required: true })).statusCode).toBe(200);
        expect((await getPolicy(officeId, admin)).json()).toMatchObject({
          required: true,
          enforceFrom: null,
        });
      });
    }

    it('accepts the latest deadline within the years 0000-9999 in UTC (200); the earliest lies in the past (400)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const late = await putPolicy(officeId, admin, {
        required: true,
        enforceFrom: '9999-12-31T23:59:59+14:00',
      });
      expect(late.statusCode, late.body).toBe(200);
      expect(late.json()).toMatchObject({ enforceFrom: '9999-12-31T09:59:59.000Z' });
      const early = await putPolicy(officeId, admin, { required: true, enforceFrom: '0000-01-01T00:00:00Z' });
      expectProblem(early, 400, 'enforce-from-in-past');
    });
  });

  describe('GET /v1/offices/{officeId}/members', () => {
    it('lists the members by username with their 2FA status (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      await t.createUser(officeId, `zed-${offices}`);
      await t.enrolledUser(officeId, `amy-${offices}`);
      const reply = await t.call('GET', `/v1/offices/${officeId}/members`, { token: admin });
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json() as {
        items: { username: string; twoFactor: string; enrolledAt: string | null }[];
        next: null;
      };
      expect(body.items.map((m) => m.username)).toEqual([
        `admin-${offices}`,
        `amy-${offices}`,
        `zed-${offices}`,
      ]);
      expect(body.items[1]).toMatchObject({
        twoFactor: 'enrolled',
        enrolledAt: expect.any(String),
        role: 'member',
      });
      expect(body.items[2]).toMatchObject({ twoFactor: 'none', enrolledAt: null });
      expect(body.next).toBeNull();
    });

    it('pages with limit and the next cursor until the end (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      for (const name of ['b', 'c', 'd', 'e']) await t.createUser(officeId, `${name}-page-${offices}`);
      const seen: string[] = [];
      let url = `/v1/offices/${officeId}/members?limit=2`;
      let pages = 0;
      for (;;) {
        const reply = await t.call('GET', url, { token: admin });
        expect(reply.statusCode, reply.body).toBe(200);
        const page = reply.json() as { items: { username: string }[]; next: string | null };
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((m) => m.username));
        pages++;
        if (page.next === null) break;
        url = `/v1/offices/${officeId}/members?limit=2&after=${encodeURIComponent(page.next)}`;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual([`admin-${offices}`, ...['b', 'c', 'd', 'e'].map((n) => `${n}-page-${offices}`)]);
    });

    it('answers an empty page after the last member (200)', async () => {
      const { officeId, admin } = await officeWithAdmin();
      const after = Buffer.from('\uffff', 'utf8').toString('base64url');
      const reply = await t.call('GET', `/v1/offices/${officeId}/members?after=${after}`, { token: admin });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({ items: [], next: null });
    });

    it('refuses a limit of 0 (400 invalid-request naming it)', async () => {
      const reply = await t.call('GET', `/v1/offices/${other.officeId}/members?limit=0`, {
        token: other.admin,
      });
      expectInvalidRequest(reply, 'limit');
    });

    it('refuses a limit above 500 (400 invalid-request)', async () => {
      const reply = await t.call('GET', `/v1/offices/${other.officeId}/members?limit=501`, {
        token: other.admin,
      });
      expectInvalidRequest(reply, 'limit');
    });

    it('refuses a limit that is no number (400 invalid-request)', async () => {
      const reply = await t.call('GET', `/v1/offices/${other.officeId}/members?limit=ten`, {
        token: other.admin,
      });
      expectInvalidRequest(reply, 'limit');
    });

    it('refuses an over-long cursor (400 invalid-request)', async () => {
      const reply = await t.call('GET', `/v1/offices/${other.officeId}/members?after=${'a'.repeat(301)}`, {
        token: other.admin,
      });
      expectInvalidRequest(reply, 'after');
    });

    it('refuses an admin of another office (403 not-permitted)', async () => {
      const { officeId } = await officeWithAdmin();
      expectProblem(
        await t.call('GET', `/v1/offices/${officeId}/members`, { token: other.admin }),
        403,
        'not-permitted',
      );
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', `/v1/offices/${other.officeId}/members`), 401, 'unauthenticated');
    });
  });
});
