import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TotpParameters } from '../../../../src/domain/user-security/totp-parameters.ts';
import { independentCode } from '../../../support/independent-totp.ts';
import {
  apiKey,
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

/** Secrets as another system handed them out (160 bits each). */
const secrets = {
  alice: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  dave: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  erin: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U',
  bob: 'ONSWG4TFORZWK3DFMNZGK5DBNVSXG43B',
} as const;
const sha1: TotpParameters = { algorithm: 'SHA1', digits: 6, period: 30 };
const sha256: TotpParameters = { algorithm: 'SHA256', digits: 8, period: 60 };

type Report = {
  officeId: string;
  format: string;
  dryRun: boolean;
  counts: Record<string, number>;
  rows: { line: number; username: string | null; outcome: string; reason?: string; parameters?: unknown }[];
};

describe('POST /v1/platform/offices/{id}/imports', () => {
  let t: RouteTestService;
  let officeId: string;
  let otherOffice: string;

  const upload = (
    file: string,
    query = '',
    options: { office?: string; contentType?: string; key?: string | null } = {},
  ): Promise<LightMyRequestResponse> =>
    t.call('POST', `/v1/platform/offices/${options.office ?? officeId}/imports${query}`, {
      body: file,
      headers: {
        'content-type': options.contentType ?? 'text/csv',
        ...(options.key === null ? {} : { 'x-api-key': options.key ?? apiKey }),
      },
    });
  const report = (reply: LightMyRequestResponse): Report => {
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json() as Report;
  };
  const head = async () => (await t.service.app.inject({ method: 'GET', url: '/metrics' })).body;
  const loginWith = async (username: string, code: string) => {
    const first = await t.call('POST', '/v1/login', { body: { username, password } });
    expect(first.json()).toMatchObject({ status: 'second-factor-required' });
    const { challenge } = first.json() as { challenge: string };
    return t.call('POST', '/v1/login/second-factor', { body: { challenge, code } });
  };

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Moving in');
    otherOffice = await t.createOffice('Elsewhere');
    for (const name of ['alice', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy'])
      await t.createUser(officeId, name);
    await t.createUser(otherOffice, 'carol');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('imports SHA1/6/30 and SHA256/8/60 enrolments: the users log in at once with codes of their existing app', async () => {
    const file = [
      'username,secret,digits,period,algorithm,enrolledAt',
      `alice,${secrets.alice},6,30,SHA1,2024-03-01T08:00:00Z`,
      `Dave,${secrets.dave.toLowerCase()},8,60,SHA256,`,
    ].join('\n');
    const body = report(await upload(file));
    expect(body).toMatchObject({ officeId, format: 'csv', dryRun: false });
    expect(body.counts).toEqual({ imported: 2, replaced: 0, skipped: 0, rejected: 0 });
    expect(body.rows).toEqual([
      { line: 2, username: 'alice', outcome: 'imported', userId: expect.any(String), parameters: sha1 },
      { line: 3, username: 'dave', outcome: 'imported', userId: expect.any(String), parameters: sha256 },
    ]);
    for (const secret of Object.values(secrets)) expect(JSON.stringify(body)).not.toContain(secret);

    const alice = await loginWith('alice', independentCode(secrets.alice, new Date(), sha1));
    expect(alice.statusCode, alice.body).toBe(200);
    const dave = await loginWith('dave', independentCode(secrets.dave, new Date(), sha256));
    expect(dave.statusCode, dave.body).toBe(200);
    // Dave's app shows 8 digits: its 6-digit cousin, or a SHA1 code of the same secret, is no code of his.
    const wrong = await loginWith(
      'dave',
      independentCode(secrets.dave, new Date(), { ...sha256, algorithm: 'SHA1' }),
    );
    expectProblem(wrong, 401, 'invalid-code');
  });

  it('a re-run of the same file changes nothing: every user is skipped and no event is written', async () => {
    const file = `alice,${secrets.alice}\n`;
    const metricsBefore = await head();
    const body = report(await upload(file));
    expect(body.counts).toEqual({ imported: 0, replaced: 0, skipped: 1, rejected: 0 });
    expect(body.rows[0]).toMatchObject({ username: 'alice', outcome: 'skipped' });
    expect(countAppends(await head())).toBe(countAppends(metricsBefore));
  });

  it('with replace=true an enrolled user gets the imported secret; the old app no longer works', async () => {
    const { secret: nativeSecret } = await t.enrolledUser(officeId, 'bob');
    const body = report(await upload(`bob,${secrets.bob},8,60,sha256\n`, '?replace=true'));
    expect(body.rows[0]).toMatchObject({ username: 'bob', outcome: 'replaced', parameters: sha256 });
    const old = await loginWith('bob', independentCode(nativeSecret, new Date(), sha1));
    expectProblem(old, 401, 'invalid-code');
    const now = await loginWith('bob', independentCode(secrets.bob, new Date(), sha256));
    expect(now.statusCode, now.body).toBe(200);
  });

  it('a dry run reports what would happen and writes nothing', async () => {
    const metricsBefore = await head();
    const body = report(
      await upload(`erin,${secrets.erin}\nalice,${secrets.alice}\nnobody,${secrets.erin}\n`, '?dryRun=true'),
    );
    expect(body.dryRun).toBe(true);
    expect(body.rows.map((row) => [row.username, row.outcome, row.reason])).toEqual([
      ['erin', 'imported', undefined],
      ['alice', 'skipped', undefined],
      ['nobody', 'rejected', 'unknown-user'],
    ]);
    expect(countAppends(await head())).toBe(countAppends(metricsBefore));
    const erin = await t.call('POST', '/v1/login', { body: { username: 'erin', password } });
    expect(erin.json()).toMatchObject({ status: 'authenticated' });
  });

  it('reports each malformed row with its reason, imports the good rows, and half-imports nobody', async () => {
    const file = [
      `frank,${secrets.erin}`,
      'gina,NOT-BASE32-1890!',
      'hank,JBSWY3DPEHPK3PXP',
      `nobody,${secrets.erin}`,
      `carol,${secrets.erin}`,
      `ivy,${secrets.alice}`,
      `ivy,${secrets.dave}`,
      `gina,${secrets.erin},7`,
      `gina,${secrets.erin},6,45`,
      `gina,${secrets.erin},6,30,MD5`,
      `gina,${secrets.erin},6,30,SHA1,yesterday`,
      ',',
      `gina,${secrets.erin},6,30,SHA1,2024-01-01T00:00:00Z,extra`,
      `"gina,${secrets.erin}`,
    ].join('\n');
    const body = report(await upload(file));
    expect(body.rows.map((row) => [row.line, row.outcome, row.reason ?? null])).toEqual([
      [1, 'imported', null],
      [2, 'rejected', 'invalid-base32'],
      [3, 'rejected', 'secret-too-short'],
      [4, 'rejected', 'unknown-user'],
      [5, 'rejected', 'other-office'],
      [6, 'rejected', 'duplicate-user'],
      [7, 'rejected', 'duplicate-user'],
      [8, 'rejected', 'unsupported-digits'],
      [9, 'rejected', 'unsupported-period'],
      [10, 'rejected', 'unsupported-algorithm'],
      [11, 'rejected', 'invalid-enrolled-at'],
      [12, 'rejected', 'missing-field'],
      [13, 'rejected', 'unreadable-row'],
      [14, 'rejected', 'unreadable-row'],
    ]);
    expect(body.counts).toEqual({ imported: 1, replaced: 0, skipped: 0, rejected: 13 });
    expect(JSON.stringify(body)).not.toContain(secrets.erin);
    expect(JSON.stringify(body)).not.toContain('NOT-BASE32');
    for (const rejected of ['gina', 'hank', 'ivy']) {
      const reply = await t.call('POST', '/v1/login', { body: { username: rejected, password } });
      expect(reply.json(), rejected).toMatchObject({ status: 'authenticated' });
    }
    const carol = await t.call('POST', '/v1/login', { body: { username: 'carol', password } });
    expect(carol.json()).toMatchObject({ status: 'authenticated' });
  });

  it('reads a file with a byte order mark and CRLF line ends, and a file of otpauth URIs', async () => {
    const reset = async (username: string) => {
      const reply = await upload(`${username},${secrets.erin}\r\n`, '?dryRun=true');
      return report(reply).rows[0]?.outcome;
    };
    expect(await reset('gina')).toBe('imported');
    const csv = report(await upload(`\uFEFFusername,secret\r\ngina,${secrets.erin}\r\n`));
    expect(csv.rows).toEqual([expect.objectContaining({ line: 2, username: 'gina', outcome: 'imported' })]);
    const uris = [
      `otpauth://totp/Old%20Portal:hank?secret=${secrets.dave}&issuer=Old%20Portal&algorithm=SHA256&digits=8&period=60`,
      'otpauth://hotp/Old%20Portal:ivy?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&counter=1',
      '',
      `otpauth://totp/ivy?secret=${secrets.alice}`,
    ].join('\r\n');
    const body = report(await upload(`\uFEFF${uris}`, '', { contentType: 'text/plain' }));
    expect(body.format).toBe('otpauth-uri');
    expect(body.rows.map((row) => [row.line, row.username, row.outcome, row.reason ?? null])).toEqual([
      [1, 'hank', 'imported', null],
      [2, null, 'rejected', 'invalid-uri'],
      [4, 'ivy', 'imported', null],
    ]);
    const hank = await loginWith('hank', independentCode(secrets.dave, new Date(), sha256));
    expect(hank.statusCode, hank.body).toBe(200);
  });

  it('refuses a file over 10 MB as a whole (413 payload-too-large), writing nothing', async () => {
    const row = `frank,${secrets.erin}\n`;
    const file = row.repeat(Math.ceil((10 * 1024 * 1024 + 1) / row.length));
    expectProblem(await upload(file), 413, 'payload-too-large');
  });

  it('answers 404 office-not-found for an unknown office, 400 for a bad flag, 415 for other media types', async () => {
    expectProblem(
      await upload(`frank,${secrets.erin}`, '', { office: 'no-such-office' }),
      404,
      'office-not-found',
    );
    expectProblem(await upload(`frank,${secrets.erin}`, '?dryRun=yes'), 400, 'invalid-request');
    expectProblem(
      await upload('<xml/>', '', { contentType: 'application/xml' }),
      415,
      'unsupported-media-type',
    );
    const json = await t.call('POST', `/v1/platform/offices/${officeId}/imports`, {
      body: { username: 'frank' },
      headers: { 'x-api-key': apiKey },
    });
    expectProblem(json, 400, 'invalid-request');
  });

  it('is for the platform key only: none, a wrong one, or any user session gets 401', async () => {
    expectProblem(await upload(`frank,${secrets.erin}`, '', { key: null }), 401, 'unauthenticated');
    expectProblem(await upload(`frank,${secrets.erin}`, '', { key: 'not-the-key' }), 401, 'unauthenticated');
    for (const role of ['member', 'office-admin', 'support', 'auditor']) {
      await t.createUser(officeId, `role.${role}`, role);
      const token = await t.signIn(`role.${role}`);
      const reply = await t.call('POST', `/v1/platform/offices/${officeId}/imports`, {
        body: `frank,${secrets.erin}`,
        token,
        headers: { 'content-type': 'text/csv' },
      });
      expectProblem(reply, 401, 'unauthenticated');
    }
  });
});

/** Appends counted by the event-store latency histogram: a no-op import must not move it. */
const countAppends = (metrics: string): number => {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('second_factor_event_store_append_duration_seconds_count'));
  const count = Number(line?.split(' ').at(-1));
  expect(count, 'append count in /metrics').toBeGreaterThan(0);
  return count;
};
