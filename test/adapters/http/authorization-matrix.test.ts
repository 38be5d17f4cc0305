import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { type RunningService, startService } from '../../../src/main.ts';

/**
 * Who may call what: every route × every kind of caller, with the status each one gets. The same table
 * is rendered to docs/authorization-matrix.md (run with UPDATE_DOCS=1 after changing it).
 */
const callers = [
  'anonymous',
  'member',
  'office-admin',
  'other-office-admin',
  'support',
  'auditor',
  'platform-key',
] as const;
type Caller = (typeof callers)[number];

/** A reset or an erasure ends the target's sessions, so support acts on users who are not callers. */
type Ids = {
  officeId: string;
  memberId: string;
  resetTargetId: string;
  eraseTargetId: string;
  temporaryTargetId: string;
};
type Row = {
  route: string;
  request: (
    ids: Ids,
    run: number,
  ) => {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    body?: unknown;
    headers?: Record<string, string>;
  };
  expect: Record<Caller, number>;
};

const users = (status: number, anonymous = 401, platformKey = 401): Record<Caller, number> => ({
  anonymous,
  member: status,
  'office-admin': status,
  'other-office-admin': status,
  support: status,
  auditor: status,
  'platform-key': platformKey,
});
const only = (allowed: Partial<Record<Caller, number>>, denied = 403): Record<Caller, number> => ({
  anonymous: 401,
  member: denied,
  'office-admin': denied,
  'other-office-admin': denied,
  support: denied,
  auditor: denied,
  'platform-key': 401,
  ...allowed,
});
const platformOnly = (status: number): Record<Caller, number> => ({ ...users(401), 'platform-key': status });

const password = 'matrix password 1';
const matrix: Row[] = [
  {
    route: 'GET /healthz',
    request: () => ({ method: 'GET', url: '/healthz' }),
    expect: users(200, 200, 200),
  },
  { route: 'GET /v1/me', request: () => ({ method: 'GET', url: '/v1/me' }), expect: users(200) },
  {
    route: 'GET /v1/me/two-factor',
    request: () => ({ method: 'GET', url: '/v1/me/two-factor' }),
    expect: users(200),
  },
  {
    route: 'POST /v1/me/two-factor/enrollment',
    request: () => ({ method: 'POST', url: '/v1/me/two-factor/enrollment', body: { password } }),
    expect: users(200),
  },
  {
    route: 'DELETE /v1/me/two-factor (not enrolled: 409 is the rule, not the role)',
    request: () => ({ method: 'DELETE', url: '/v1/me/two-factor', body: { password } }),
    expect: users(409),
  },
  {
    route: 'POST /v1/me/two-factor/recovery-codes (not enrolled: 409 is the rule, not the role)',
    request: () => ({ method: 'POST', url: '/v1/me/two-factor/recovery-codes', body: { password } }),
    expect: users(409),
  },
  {
    route: 'PUT /v1/me/password (the same password again: allowed)',
    request: () => ({
      method: 'PUT',
      url: '/v1/me/password',
      body: { currentPassword: password, newPassword: password },
    }),
    expect: users(204),
  },
  {
    route: 'GET /v1/offices/{own office}/two-factor-policy',
    request: ({ officeId }) => ({ method: 'GET', url: `/v1/offices/${officeId}/two-factor-policy` }),
    expect: only({ 'office-admin': 200 }),
  },
  {
    route: 'PUT /v1/offices/{own office}/two-factor-policy',
    request: ({ officeId }) => ({
      method: 'PUT',
      url: `/v1/offices/${officeId}/two-factor-policy`,
      body: { required: false },
    }),
    expect: only({ 'office-admin': 200 }),
  },
  {
    route: 'GET /v1/offices/{own office}/members',
    request: ({ officeId }) => ({ method: 'GET', url: `/v1/offices/${officeId}/members` }),
    expect: only({ 'office-admin': 200 }),
  },
  {
    route: 'GET /v1/offices/{own office}/compliance',
    request: ({ officeId }) => ({ method: 'GET', url: `/v1/offices/${officeId}/compliance` }),
    expect: only({ 'office-admin': 200, support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/offices/{own office}/compliance?at=',
    request: ({ officeId }) => ({
      method: 'GET',
      url: `/v1/offices/${officeId}/compliance?at=${encodeURIComponent(new Date().toISOString())}`,
    }),
    expect: only({ 'office-admin': 200, support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/offices/{own office}/compliance.csv',
    request: ({ officeId }) => ({ method: 'GET', url: `/v1/offices/${officeId}/compliance.csv` }),
    expect: only({ 'office-admin': 200, support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/compliance/offices',
    request: () => ({ method: 'GET', url: '/v1/compliance/offices' }),
    expect: only({ support: 200, auditor: 200 }),
  },
  {
    route: "POST /v1/offices/{own office}/reenrollment (support: 409, the admin's campaign runs already)",
    request: ({ officeId }) => ({
      method: 'POST',
      url: `/v1/offices/${officeId}/reenrollment`,
      body: { deadline: '2099-01-01T00:00:00.000Z', reason: 'matrix' },
    }),
    expect: only({ 'office-admin': 200, support: 409 }),
  },
  {
    route: 'DELETE /v1/offices/{own office}/reenrollment (support: 409, the admin ended it)',
    request: ({ officeId }) => ({ method: 'DELETE', url: `/v1/offices/${officeId}/reenrollment` }),
    expect: only({ 'office-admin': 200, support: 409 }),
  },
  {
    route: 'GET /v1/support/users?username=',
    request: () => ({ method: 'GET', url: '/v1/support/users?username=member' }),
    expect: only({ support: 200 }),
  },
  {
    route: 'POST /v1/support/users/{id}/two-factor-reset',
    request: ({ resetTargetId }) => ({
      method: 'POST',
      url: `/v1/support/users/${resetTargetId}/two-factor-reset`,
      body: { reason: 'matrix', ticket: 'T-1' },
    }),
    expect: only({ support: 200 }),
  },
  {
    route: 'POST /v1/support/users/{id}/temporary-access',
    request: ({ temporaryTargetId }) => ({
      method: 'POST',
      url: `/v1/support/users/${temporaryTargetId}/temporary-access`,
      body: { reason: 'matrix', ticket: 'T-3' },
    }),
    expect: only({ support: 201 }),
  },
  {
    // Runs after the row above, so support finds an open temporary access to end.
    route: 'POST /v1/support/users/{id}/temporary-access/end',
    request: ({ temporaryTargetId }) => ({
      method: 'POST',
      url: `/v1/support/users/${temporaryTargetId}/temporary-access/end`,
      body: { reason: 'matrix', ticket: 'T-4' },
    }),
    expect: only({ support: 200 }),
  },
  {
    // Permitted to support only; the member is not frozen, so support's answer is 409 not-frozen.
    route: 'POST /v1/support/users/{id}/unfreeze',
    request: ({ memberId }) => ({
      method: 'POST',
      url: `/v1/support/users/${memberId}/unfreeze`,
      body: { reason: 'matrix', ticket: 'T-5' },
    }),
    expect: only({ support: 409 }),
  },
  {
    // No session needed: only the freeze token counts, whoever sends it (an unknown one here).
    route: 'POST /v1/freeze',
    request: () => ({ method: 'POST', url: '/v1/freeze', body: { token: 'matrix-unknown-token' } }),
    expect: users(401, 401, 401),
  },
  {
    route: 'POST /v1/support/users/{id}/erasure',
    request: ({ eraseTargetId }) => ({
      method: 'POST',
      url: `/v1/support/users/${eraseTargetId}/erasure`,
      body: { reason: 'matrix', ticket: 'T-2' },
    }),
    expect: only({ support: 200 }),
  },
  {
    route: 'GET /v1/audit/events',
    request: () => ({ method: 'GET', url: '/v1/audit/events' }),
    expect: only({ support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/audit/events/export',
    request: () => ({ method: 'GET', url: '/v1/audit/events/export' }),
    expect: only({ support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/audit/verification?streamId=',
    request: ({ officeId }) => ({ method: 'GET', url: `/v1/audit/verification?streamId=office-${officeId}` }),
    expect: only({ support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/audit/users/{id}/two-factor',
    request: ({ memberId }) => ({ method: 'GET', url: `/v1/audit/users/${memberId}/two-factor` }),
    expect: only({ support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/audit/offices/{id}/two-factor-policy',
    request: ({ officeId }) => ({ method: 'GET', url: `/v1/audit/offices/${officeId}/two-factor-policy` }),
    expect: only({ support: 200, auditor: 200 }),
  },
  {
    route: 'GET /v1/audit/signing-key',
    request: () => ({ method: 'GET', url: '/v1/audit/signing-key' }),
    expect: users(200, 200, 200),
  },
  {
    route: 'POST /v1/audit/checkpoints',
    request: () => ({ method: 'POST', url: '/v1/audit/checkpoints' }),
    expect: only({ auditor: 201 }),
  },
  {
    route: 'POST /v1/platform/offices',
    request: (_ids, run) => ({
      method: 'POST',
      url: '/v1/platform/offices',
      body: { name: `Office ${run}` },
    }),
    expect: platformOnly(201),
  },
  {
    route: 'POST /v1/platform/users',
    request: ({ officeId }, run) => ({
      method: 'POST',
      url: '/v1/platform/users',
      body: { officeId, username: `new-user-${run}`, password, role: 'member' },
    }),
    expect: platformOnly(201),
  },
  {
    route: 'PUT /v1/platform/users/{id}/role',
    request: ({ memberId }) => ({
      method: 'PUT',
      url: `/v1/platform/users/${memberId}/role`,
      body: { role: 'member' },
    }),
    expect: platformOnly(200),
  },
  {
    route: 'POST /v1/platform/offices/{id}/imports',
    request: ({ officeId }) => ({
      method: 'POST',
      url: `/v1/platform/offices/${officeId}/imports?dryRun=true`,
      body: 'username,secret\nnobody,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n',
      headers: { 'content-type': 'text/csv' },
    }),
    expect: platformOnly(200),
  },
  {
    route: 'PUT /v1/platform/users/{id}/password',
    request: ({ resetTargetId }) => ({
      method: 'PUT',
      url: `/v1/platform/users/${resetTargetId}/password`,
      body: { password },
    }),
    expect: platformOnly(204),
  },
  {
    route: 'GET /v1/platform/users/{id}/login-requirements',
    request: ({ memberId }) => ({ method: 'GET', url: `/v1/platform/users/${memberId}/login-requirements` }),
    expect: platformOnly(200),
  },
];

/**
 * The last column: the session of the caller the route is for (a member where no user may), sent as the
 * cookie by a page of another site. State-changing methods refuse it (403 cross-site-request); reads answer
 * as they do to that caller.
 */
const crossSite = 'cross-site cookie';
const crossSiteCaller = (row: Row): Caller =>
  callers.find(
    (caller) =>
      caller !== 'anonymous' && caller !== 'platform-key' && ![401, 403].includes(row.expect[caller]),
  ) ?? 'member';
const changesState = (row: Row) => row.route.split(' ')[0] !== 'GET';
const crossSiteStatus = (row: Row) => (changesState(row) ? 403 : row.expect[crossSiteCaller(row)]);

const renderMatrix = (): string => {
  const columns = [...callers, crossSite];
  const header = `| route | ${columns.join(' | ')} |\n|---|${columns.map(() => '---').join('|')}|\n`;
  const rows = matrix
    .map(
      (row) =>
        `| \`${row.route}\` | ${callers.map((caller) => row.expect[caller]).join(' | ')} | ${crossSiteStatus(row)} |`,
    )
    .join('\n');
  return `# Authorization matrix\n\nGenerated from \`test/adapters/http/authorization-matrix.test.ts\`, which proves every cell against the\nrunning service. \`office-admin\` administers the office in the path; \`other-office-admin\` administers\nanother one. 401: no valid session or API key; 403: the caller's role may not do this.\n\`${crossSite}\`: the session of the caller the route is for (a member where no user may), as the cookie\nof a request another site's page sent (\`Origin: http://evil.example\`); every method but GET refuses it\n(403 \`cross-site-request\`, \`test/adapters/http/cross-site-requests.test.ts\` covers every route).\n\n${header}${rows}\n`;
};

const apiKey = 'matrix-platform-key-0123456789abcdef012345';

describe('S12 authorization matrix: every route × every caller', () => {
  let service: RunningService;
  let dataDir: string;
  const ids: Ids = {
    officeId: '',
    memberId: '',
    resetTargetId: '',
    eraseTargetId: '',
    temporaryTargetId: '',
  };
  const tokens = new Map<Caller, Record<string, string>>();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-matrix-'));
    service = await startService(
      loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: apiKey }),
    );
    const platform = { 'x-api-key': apiKey };
    const inject = async (method: 'POST', url: string, payload: unknown, headers: Record<string, string>) =>
      (await service.app.inject({ method, url, payload: payload as object, headers })).json() as Record<
        string,
        string
      >;
    ids.officeId = (await inject('POST', '/v1/platform/offices', { name: 'Own office' }, platform)).officeId!;
    const otherOfficeId = (await inject('POST', '/v1/platform/offices', { name: 'Other office' }, platform))
      .officeId!;
    const signIn = async (username: string, role: string, officeId: string) => {
      const created = await inject(
        'POST',
        '/v1/platform/users',
        { officeId, username, password, role },
        platform,
      );
      const login = await inject('POST', '/v1/login', { username, password }, {});
      return { userId: created.userId!, token: login.session! };
    };
    const member = await signIn('member', 'member', ids.officeId);
    ids.memberId = member.userId;
    ids.resetTargetId = (await signIn('reset-target', 'member', ids.officeId)).userId;
    ids.eraseTargetId = (await signIn('erase-target', 'member', ids.officeId)).userId;
    ids.temporaryTargetId = (await signIn('temporary-target', 'member', ids.officeId)).userId;
    tokens.set('anonymous', {});
    tokens.set('member', { authorization: `Bearer ${member.token}` });
    tokens.set('office-admin', {
      authorization: `Bearer ${(await signIn('admin', 'office-admin', ids.officeId)).token}`,
    });
    tokens.set('other-office-admin', {
      authorization: `Bearer ${(await signIn('admin-b', 'office-admin', otherOfficeId)).token}`,
    });
    tokens.set('support', {
      authorization: `Bearer ${(await signIn('support', 'support', otherOfficeId)).token}`,
    });
    tokens.set('auditor', {
      authorization: `Bearer ${(await signIn('auditor', 'auditor', otherOfficeId)).token}`,
    });
    tokens.set('platform-key', platform);
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let run = 0;
  for (const row of matrix) {
    for (const caller of callers) {
      it(`${row.route} as ${caller} → ${row.expect[caller]}`, async () => {
        const request = row.request(ids, run++);
        const response = await service.app.inject({
          method: request.method,
          url: request.url,
          headers: { ...tokens.get(caller)!, ...request.headers },
          ...(request.body === undefined ? {} : { payload: request.body as object }),
        });
        expect(response.statusCode, response.body).toBe(row.expect[caller]);
        if (response.statusCode >= 400)
          expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      });
    }
  }

  for (const row of matrix) {
    const caller = crossSiteCaller(row);
    it(`${row.route} with the ${caller} cookie from another site → ${crossSiteStatus(row)}`, async () => {
      const token = tokens.get(caller)!.authorization!.slice('Bearer '.length);
      const request = row.request(ids, run++);
      const response = await service.app.inject({
        method: request.method,
        url: request.url,
        headers: { cookie: `sf_session=${token}`, origin: 'http://evil.example' },
        ...(request.body === undefined ? {} : { payload: request.body as object }),
      });
      expect(response.statusCode, response.body).toBe(crossSiteStatus(row));
      if (changesState(row)) expect(response.json()).toMatchObject({ code: 'cross-site-request' });
    });
  }

  it('docs/authorization-matrix.md is the table this test proves', () => {
    const path = join(import.meta.dirname, '../../../docs/authorization-matrix.md');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, renderMatrix());
    expect(readFileSync(path, 'utf8')).toBe(renderMatrix());
  });
});
