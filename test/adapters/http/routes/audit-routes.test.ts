import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectInvalidRequest,
  expectProblem,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

type AuditEvent = {
  position: number;
  streamId: string;
  revision: number;
  type: string;
  occurredAt: string;
  actor: { id: string; role: string; officeId?: string };
  correlationId: string;
  causationId: string;
  data: Record<string, unknown>;
};
type Page = { items: AuditEvent[]; next: string | null };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('audit routes', () => {
  let t: RouteTestService;
  let officeId: string;
  let otherOfficeId: string;
  let auditor: string;
  let support: string;
  let admin: string;
  let enrolledId: string;
  let beforeEnrolment: string;
  let beforeRequirement: string;

  const get = (url: string, token = auditor) => t.call('GET', url, { token });
  const events = async (query: string, token = auditor) => {
    const reply = await get(`/v1/audit/events${query}`, token);
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json() as Page;
  };

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Audited office');
    otherOfficeId = await t.createOffice('Other audited office');
    await t.createUser(officeId, 'auditor', 'auditor');
    await t.createUser(officeId, 'support', 'support');
    await t.createUser(officeId, 'admin', 'office-admin');
    await t.createUser(otherOfficeId, 'elsewhere');
    auditor = await t.signIn('auditor');
    support = await t.signIn('support');
    admin = await t.signIn('admin');
    await pause(5);
    beforeEnrolment = new Date().toISOString();
    await pause(5);
    enrolledId = (await t.enrolledUser(officeId, 'enrolled')).userId;
    await pause(5);
    beforeRequirement = new Date().toISOString();
    await pause(5);
    const required = await t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      body: { required: true, enforceFrom: '2031-01-01T00:00:00Z' },
      token: admin,
    });
    expect(required.statusCode, required.body).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('GET /v1/audit/events', () => {
    it('lists the history oldest first with who did what (200)', async () => {
      const page = await events('?limit=1000');
      expect(page.next).toBeNull();
      const positions = page.items.map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(page.items[0]).toMatchObject({
        type: 'OfficeRegistered',
        streamId: `office-${officeId}`,
        actor: { id: 'platform', role: 'platform' },
        correlationId: expect.any(String),
        causationId: expect.any(String),
        occurredAt: expect.any(String),
      });
      expect(page.items.map((event) => event.type)).toEqual(
        expect.arrayContaining([
          'UserRegistered',
          'TotpEnrollmentStarted',
          'TotpEnrolled',
          'OfficeTwoFactorRequired',
        ]),
      );
    });

    it('lets support read it too (200)', async () => {
      expect((await events('?limit=1', support)).items).toHaveLength(1);
    });

    it('never shows secrets, password hashes or recovery-code hashes (200, redacted)', async () => {
      const page = await events('?limit=1000');
      const started = page.items.find((event) => event.type === 'TotpEnrollmentStarted');
      expect(started?.data.secret).toBe('[encrypted, not shown]');
      const registered = page.items.find((event) => event.type === 'UserRegistered');
      expect(registered?.data).not.toHaveProperty('passwordHash');
      expect(registered?.data.passwordChanged).toBe(true);
      const issued = page.items.find((event) => event.type === 'RecoveryCodesIssued');
      expect(issued?.data).not.toHaveProperty('codeHashes');
      expect(issued?.data.recoveryCodesIssued).toBe(10);
      expect(JSON.stringify(page)).not.toMatch(/argon2/);
    });

    it("filters by user: the user's own streams and acts (200)", async () => {
      const page = await events(`?userId=${enrolledId}`);
      expect(page.items.length).toBeGreaterThan(0);
      for (const event of page.items) {
        const ofUser =
          event.streamId.endsWith(enrolledId) ||
          event.data.userId === enrolledId ||
          event.actor.id === enrolledId;
        expect(ofUser, JSON.stringify(event)).toBe(true);
      }
      expect(page.items.map((event) => event.type)).toContain('TotpEnrolled');
    });

    it('filters by office (200, nothing of the other office)', async () => {
      const page = await events(`?officeId=${otherOfficeId}`);
      expect(page.items.length).toBeGreaterThan(0);
      expect(JSON.stringify(page)).not.toContain(`"officeId":"${officeId}"`);
    });

    it('filters by event type (200)', async () => {
      const page = await events('?type=TotpEnrolled');
      expect(page.items).toHaveLength(1);
      expect(page.items[0]?.data.userId).toBe(enrolledId);
    });

    it('filters by time, from inclusive and to exclusive (200)', async () => {
      const page = await events(
        `?from=${encodeURIComponent(beforeEnrolment)}&to=${encodeURIComponent(beforeRequirement)}`,
      );
      expect(page.items.length).toBeGreaterThan(0);
      for (const event of page.items) {
        expect(event.occurredAt >= beforeEnrolment).toBe(true);
        expect(event.occurredAt < beforeRequirement).toBe(true);
      }
      expect(page.items.map((event) => event.type)).not.toContain('OfficeTwoFactorRequired');
    });

    it('answers an empty page for a type that never happened (200)', async () => {
      expect(await events('?type=NoSuchEvent')).toEqual({ items: [], next: null });
    });

    it('pages with the next cursor: no event twice, none left out (200)', async () => {
      const all = (await events('?limit=1000')).items.map((event) => event.position);
      const seen: number[] = [];
      let query = '?limit=3';
      let pages = 0;
      for (;;) {
        const page = await events(query);
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((event) => event.position));
        pages++;
        if (page.next === null) break;
        expect(page.next).toMatch(/^\d+$/);
        query = `?limit=3&after=${page.next}`;
      }
      expect(seen).toEqual(all);
      expect(pages).toBeGreaterThan(2);
    });

    it('continues after a cursor past the end with an empty last page (200)', async () => {
      expect(await events('?after=999999')).toEqual({ items: [], next: null });
    });

    it('refuses a cursor that is no position (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?after=abc'), 'after');
    });

    it('refuses a negative cursor (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?after=-1'), 'after');
    });

    it('refuses a limit of 0 (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?limit=0'), 'limit');
    });

    it('refuses a limit above 1000 (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?limit=1001'), 'limit');
    });

    it('refuses a from that is no ISO date-time (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?from=yesterday'), 'from');
    });

    it('refuses a to without time zone (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?to=2030-01-01T00:00:00'), 'to');
    });

    it('refuses a user id with forbidden characters (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/events?userId=a%20b'), 'userId');
    });

    it('refuses an over-long type (400 invalid-request)', async () => {
      expectInvalidRequest(await get(`/v1/audit/events?type=${'T'.repeat(101)}`), 'type');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', '/v1/audit/events'), 401, 'unauthenticated');
    });

    it('refuses a caller who is neither auditor nor support (403 not-permitted)', async () => {
      expectProblem(await get('/v1/audit/events', admin), 403, 'not-permitted');
    });
  });

  describe('GET /v1/audit/verification?streamId=', () => {
    it("reports an untouched stream's hash chain as intact (200)", async () => {
      const reply = await get(`/v1/audit/verification?streamId=office-${officeId}`);
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json() as { eventsChecked: number };
      expect(body).toEqual({
        streamId: `office-${officeId}`,
        eventsChecked: expect.any(Number),
        intact: true,
        firstBroken: null,
      });
      expect(body.eventsChecked).toBeGreaterThanOrEqual(2);
    });

    it("checks a user's security stream for support too (200)", async () => {
      const reply = await get(`/v1/audit/verification?streamId=user-security-${enrolledId}`, support);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ intact: true, firstBroken: null });
    });

    it('reports a stream without events as intact with nothing checked (200)', async () => {
      const reply = await get('/v1/audit/verification?streamId=office-no-such-office');
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({ eventsChecked: 0, intact: true, firstBroken: null });
    });

    it('refuses a request without streamId (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await get('/v1/audit/verification'), 'streamId');
    });

    it('refuses an over-long streamId (400 invalid-request)', async () => {
      expectInvalidRequest(await get(`/v1/audit/verification?streamId=${'s'.repeat(301)}`), 'streamId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('GET', `/v1/audit/verification?streamId=office-${officeId}`),
        401,
        'unauthenticated',
      );
    });

    it('refuses a caller who is neither auditor nor support (403 not-permitted)', async () => {
      expectProblem(
        await get(`/v1/audit/verification?streamId=office-${officeId}`, admin),
        403,
        'not-permitted',
      );
    });
  });

  describe('GET /v1/audit/events/export', () => {
    it('streams the whole history as NDJSON, one event per line, closed by a signed checkpoint (200)', async () => {
      const reply = await get('/v1/audit/events/export');
      expect(reply.statusCode).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(reply.headers['content-disposition']).toBe('attachment; filename="audit-events.ndjson"');
      const lines = reply.body.trimEnd().split('\n');
      const exported = lines.slice(0, -1).map((line) => JSON.parse(line) as AuditEvent);
      const listed = (await events('?limit=1000')).items;
      expect(exported).toEqual(listed);
      expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({
        type: 'checkpoint',
        checkpoint: { kind: 'export', eventCount: listed.length, filter: {} },
        signature: expect.any(String),
      });
      expect(reply.body).not.toMatch(/argon2/);
    });

    it('exports only what the filter matches (200)', async () => {
      const reply = await get(`/v1/audit/events/export?userId=${enrolledId}&type=TotpEnrolled`);
      expect(reply.statusCode).toBe(200);
      const lines = reply.body.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 'TotpEnrolled' });
      expect(JSON.parse(lines[1] ?? '')).toMatchObject({
        checkpoint: { eventCount: 1, filter: { userId: enrolledId, type: 'TotpEnrolled' } },
      });
    });

    it('exports no event when nothing matches, only the checkpoint saying so (200)', async () => {
      const reply = await get('/v1/audit/events/export?type=NoSuchEvent');
      expect(reply.statusCode).toBe(200);
      expect(reply.body.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(reply.body)).toMatchObject({ checkpoint: { kind: 'export', eventCount: 0 } });
    });

    it('refuses a from that is no ISO date-time (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/events/export?from=soon'), 'from');
    });

    it('refuses an office id with forbidden characters (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/events/export?officeId=%24x'), 'officeId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', '/v1/audit/events/export'), 401, 'unauthenticated');
    });

    it('refuses a caller who is neither auditor nor support (403 not-permitted)', async () => {
      expectProblem(await get('/v1/audit/events/export', admin), 403, 'not-permitted');
    });
  });

  describe('GET /v1/audit/users/{userId}/two-factor', () => {
    it("shows a user's 2FA state now (200)", async () => {
      const reply = await get(`/v1/audit/users/${enrolledId}/two-factor`);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({
        userId: enrolledId,
        at: expect.any(String),
        enabled: true,
        enrolledAt: expect.any(String),
        pendingEnrollment: false,
        lockedUntil: null,
        recoveryCodesLeft: 10,
      });
    });

    it("shows a user's 2FA state at a past moment, normalized to UTC (200)", async () => {
      const at = new Date(beforeEnrolment);
      const local = `${new Date(at.getTime() + 3600_000).toISOString().slice(0, 23)}+01:00`;
      const reply = await get(`/v1/audit/users/${enrolledId}/two-factor?at=${encodeURIComponent(local)}`);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({
        userId: enrolledId,
        at: beforeEnrolment,
        enabled: false,
        enrolledAt: null,
        pendingEnrollment: false,
        lockedUntil: null,
        recoveryCodesLeft: 0,
        temporaryAccessUntil: null,
        frozen: false,
      });
    });

    it('shows an unknown user as never enrolled (200)', async () => {
      const reply = await get('/v1/audit/users/no-such-user/two-factor');
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ userId: 'no-such-user', enabled: false });
    });

    it('refuses an at that is no ISO date-time (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await get(`/v1/audit/users/${enrolledId}/two-factor?at=yesterday`), 'at');
    });

    it('refuses an at without time zone (400 invalid-request)', async () => {
      expectInvalidRequest(
        await get(`/v1/audit/users/${enrolledId}/two-factor?at=2030-01-01T00:00:00`),
        'at',
      );
    });

    it('refuses a user id with forbidden characters (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/users/a%3Bb/two-factor'), 'userId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(await t.call('GET', `/v1/audit/users/${enrolledId}/two-factor`), 401, 'unauthenticated');
    });

    it('refuses a caller who is neither auditor nor support (403 not-permitted)', async () => {
      expectProblem(await get(`/v1/audit/users/${enrolledId}/two-factor`, admin), 403, 'not-permitted');
    });
  });

  describe('GET /v1/audit/offices/{officeId}/two-factor-policy', () => {
    it("shows an office's requirement now (200)", async () => {
      const reply = await get(`/v1/audit/offices/${officeId}/two-factor-policy`);
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toMatchObject({
        officeId,
        at: expect.any(String),
        required: true,
        enforceFrom: '2031-01-01T00:00:00.000Z',
      });
    });

    it("shows an office's requirement at a past moment (200)", async () => {
      const reply = await get(
        `/v1/audit/offices/${officeId}/two-factor-policy?at=${encodeURIComponent(beforeRequirement)}`,
      );
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.json()).toEqual({ officeId, at: beforeRequirement, required: false, enforceFrom: null });
    });

    it('shows an unknown office as never requiring 2FA (200)', async () => {
      const reply = await get('/v1/audit/offices/no-such-office/two-factor-policy');
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ officeId: 'no-such-office', required: false, enforceFrom: null });
    });

    it('refuses an at that is no ISO date-time (400 invalid-request naming it)', async () => {
      expectInvalidRequest(await get(`/v1/audit/offices/${officeId}/two-factor-policy?at=31-12-2030`), 'at');
    });

    it('refuses an office id with forbidden characters (400 invalid-request)', async () => {
      expectInvalidRequest(await get('/v1/audit/offices/a%2Bb/two-factor-policy'), 'officeId');
    });

    it('refuses a request without a session (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('GET', `/v1/audit/offices/${officeId}/two-factor-policy`),
        401,
        'unauthenticated',
      );
    });

    it('refuses a caller who is neither auditor nor support (403 not-permitted)', async () => {
      expectProblem(
        await get(`/v1/audit/offices/${officeId}/two-factor-policy`, admin),
        403,
        'not-permitted',
      );
    });
  });
});
