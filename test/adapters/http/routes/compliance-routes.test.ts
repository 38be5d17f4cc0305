import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectInvalidRequest,
  expectProblem,
  type Json,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

type Row = { username: string; role: string; twoFactor: string; status: string; deadline: string | null };
type Report = {
  officeId: string;
  at: string;
  required: boolean;
  totals: Record<string, number>;
  items: Row[];
  next: string | null;
  reenrollment: Json | null;
  reenrollmentProgress: { renewed: number; remaining: number } | null;
};

describe('compliance routes', () => {
  let t: RouteTestService;
  let officeId: string;
  let otherOfficeId: string;
  let admin: string;
  let otherAdmin: string;
  let support: string;
  let auditor: string;
  let member: string;
  let beforeOffice: string;
  let beforeRequirement: string;

  beforeAll(async () => {
    t = await startRouteTestService();
    beforeOffice = new Date(Date.now() - 1000).toISOString();
    officeId = await t.createOffice('Kantoor Gent');
    otherOfficeId = await t.createOffice('Kantoor Brugge');
    await t.createUser(officeId, 'anna', 'office-admin');
    await t.createUser(otherOfficeId, 'otto', 'office-admin');
    await t.createUser(officeId, 'bert');
    await t.createUser(officeId, 'carla');
    await t.createUser(officeId, 'sam', 'support');
    await t.createUser(officeId, 'aud', 'auditor');
    await t.enrolledUser(officeId, 'dirk');
    admin = await t.signIn('anna');
    otherAdmin = await t.signIn('otto');
    support = await t.signIn('sam');
    auditor = await t.signIn('aud');
    member = await t.signIn('bert');
    await new Promise((resolve) => setTimeout(resolve, 5));
    beforeRequirement = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const required = await t.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      token: admin,
      body: { required: true },
    });
    expect(required.statusCode, required.body).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const report = (token: string, query = '', office = officeId) =>
    t.call('GET', `/v1/offices/${office}/compliance${query}`, { token });

  describe('GET /v1/offices/{officeId}/compliance', () => {
    it('gives the admin every member with status and totals, by username (200)', async () => {
      const reply = await report(admin);
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json() as Report;
      expect(body).toMatchObject({ officeId, required: true, reenrollment: null, next: null });
      expect(body.items.map((row) => [row.username, row.status])).toEqual([
        ['anna', 'overdue'],
        ['aud', 'overdue'],
        ['bert', 'overdue'],
        ['carla', 'overdue'],
        ['dirk', 'compliant'],
        ['sam', 'overdue'],
      ]);
      expect(body.totals).toEqual({ members: 6, compliant: 1, due: 0, overdue: 5, 'not-required': 0 });
      const dirk = body.items.find((row) => row.username === 'dirk');
      expect(dirk).toMatchObject({ twoFactor: 'enrolled', role: 'member', deadline: null });
    });

    it('pages with a cursor while the totals stay those of the whole office', async () => {
      const first = (await report(admin, '?limit=4')).json() as Report;
      expect(first.items).toHaveLength(4);
      expect(first.totals.members).toBe(6);
      const second = (await report(admin, `?limit=4&after=${first.next}`)).json() as Report;
      expect(second.items.map((row) => row.username)).toEqual(['dirk', 'sam']);
      expect(second.next).toBeNull();
    });

    it('at a past moment answers from the history: before the requirement nobody was required', async () => {
      const reply = await report(auditor, `?at=${encodeURIComponent(beforeRequirement)}`);
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json() as Report;
      expect(body).toMatchObject({ at: beforeRequirement, required: false });
      expect(body.totals).toEqual({ members: 6, compliant: 1, due: 0, overdue: 0, 'not-required': 5 });
    });

    it('at now from the history equals the read models', async () => {
      const now = (await report(support)).json() as Report;
      const history = (
        await report(support, `?at=${encodeURIComponent(new Date().toISOString())}`)
      ).json() as Report;
      expect(history.items).toEqual(now.items);
      expect(history.totals).toEqual(now.totals);
    });

    it('support and auditors read any office; an admin of another office may not (403)', async () => {
      expect((await report(support, '', otherOfficeId)).statusCode).toBe(200);
      expect((await report(auditor, '', otherOfficeId)).statusCode).toBe(200);
      expectProblem(await report(otherAdmin), 403, 'not-permitted');
    });

    it('refuses members (403) and callers without a session (401)', async () => {
      expectProblem(await report(member), 403, 'not-permitted');
      expectProblem(await t.call('GET', `/v1/offices/${officeId}/compliance`), 401, 'unauthenticated');
    });

    it('answers 404 for an unknown office, and for an office at a moment before it existed', async () => {
      expectProblem(await report(support, '', 'no-such-office'), 404, 'not-found');
      expectProblem(await report(support, `?at=${encodeURIComponent(beforeOffice)}`), 404, 'not-found');
    });

    it('refuses a malformed moment or limit (400)', async () => {
      expectInvalidRequest(await report(admin, '?at=yesterday'), 'at');
      expectInvalidRequest(await report(admin, '?limit=0'), 'limit');
    });
  });

  describe('GET /v1/offices/{officeId}/compliance.csv', () => {
    it('exports every member as UTF-8 CSV with a header row (200)', async () => {
      const reply = await t.call('GET', `/v1/offices/${officeId}/compliance.csv`, { token: admin });
      expect(reply.statusCode, reply.body).toBe(200);
      expect(reply.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(reply.headers['content-disposition']).toMatch(
        /^attachment; filename="compliance-\d{4}-\d\d-\d\d\.csv"$/,
      );
      const lines = reply.body.trimEnd().split('\r\n');
      expect(lines[0]).toBe('username,userId,role,twoFactor,enrolledAt,lastSecondFactorAt,status,deadline');
      expect(lines).toHaveLength(7);
      expect(lines.find((line) => line.startsWith('dirk,'))).toMatch(/,member,enrolled,\d{4}-.*,compliant,$/);
      expect(lines.find((line) => line.startsWith('bert,'))).toMatch(/,member,none,,,overdue,$/);
    });

    it('exports a past moment too, and refuses other offices, members and unknown offices', async () => {
      const past = await t.call(
        'GET',
        `/v1/offices/${officeId}/compliance.csv?at=${encodeURIComponent(beforeRequirement)}`,
        { token: auditor },
      );
      expect(past.statusCode).toBe(200);
      expect(past.body).toContain(',not required,');
      expectProblem(
        await t.call('GET', `/v1/offices/${officeId}/compliance.csv`, { token: otherAdmin }),
        403,
        'not-permitted',
      );
      expectProblem(
        await t.call('GET', `/v1/offices/${officeId}/compliance.csv`, { token: member }),
        403,
        'not-permitted',
      );
      expectProblem(await t.call('GET', `/v1/offices/${officeId}/compliance.csv`), 401, 'unauthenticated');
      expectProblem(
        await t.call('GET', '/v1/offices/nope/compliance.csv', { token: support }),
        404,
        'not-found',
      );
    });
  });

  describe('GET /v1/compliance/offices', () => {
    it('gives support and auditors every office with required and compliant % (200)', async () => {
      for (const token of [support, auditor]) {
        const reply = await t.call('GET', '/v1/compliance/offices', { token });
        expect(reply.statusCode, reply.body).toBe(200);
        const { offices } = reply.json() as { offices: Json[] };
        expect(offices.find((office) => office.officeId === officeId)).toMatchObject({
          name: 'Kantoor Gent',
          required: true,
          members: 6,
          compliant: 1,
          compliantPercent: 16.7,
        });
        expect(offices.find((office) => office.officeId === otherOfficeId)).toMatchObject({
          required: false,
          members: 1,
          compliant: 0,
          compliantPercent: 0,
        });
      }
    });

    it('refuses office admins and members (403) and callers without a session (401)', async () => {
      expectProblem(await t.call('GET', '/v1/compliance/offices', { token: admin }), 403, 'not-permitted');
      expectProblem(await t.call('GET', '/v1/compliance/offices', { token: member }), 403, 'not-permitted');
      expectProblem(await t.call('GET', '/v1/compliance/offices'), 401, 'unauthenticated');
    });
  });
});
