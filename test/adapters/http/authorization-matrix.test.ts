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
  /** Four-eyes service only: a reset another support agent asked for, and an erasure support asked for. */
  othersRequestId: string;
  ownRequestId: string;
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
  /** Runs against a second service with SUPPORT_APPROVAL=required (four-eyes). */
  fourEyes?: true;
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
    route: 'GET /v1/me/trusted-browsers',
    request: () => ({ method: 'GET', url: '/v1/me/trusted-browsers' }),
    expect: users(200),
  },
  {
    route: 'DELETE /v1/me/trusted-browsers/{id} (none trusted: 404 is the rule, not the role)',
    request: () => ({
      method: 'DELETE',
      url: '/v1/me/trusted-browsers/00000000-0000-4000-8000-000000000000',
    }),
    expect: users(404),
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
    route: 'PUT /v1/offices/{own office}/two-factor-policy (trustBrowserDays)',
    request: ({ officeId }, run) => ({
      method: 'PUT',
      url: `/v1/offices/${officeId}/two-factor-policy`,
      body: { required: false, trustBrowserDays: run % 30 },
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
    // Four-eyes is off here (the default), so the queue is empty; the route tests run it switched on.
    route: 'GET /v1/support/requests',
    request: () => ({ method: 'GET', url: '/v1/support/requests' }),
    expect: only({ support: 200 }),
  },
  {
    route: 'POST /v1/support/requests/{id}/approval (no such request: 404 is the rule, not the role)',
    request: () => ({ method: 'POST', url: '/v1/support/requests/matrix-request/approval' }),
    expect: only({ support: 404 }),
  },
  {
    route: 'POST /v1/support/requests/{id}/withdrawal (no such request: 404 is the rule, not the role)',
    request: () => ({ method: 'POST', url: '/v1/support/requests/matrix-request/withdrawal' }),
    expect: only({ support: 404 }),
  },
  {
    route: 'POST /v1/support/users/{id}/temporary-access (SUPPORT_APPROVAL=required: awaits approval)',
    request: ({ temporaryTargetId }) => ({
      method: 'POST',
      url: `/v1/support/users/${temporaryTargetId}/temporary-access`,
      body: { reason: 'matrix', ticket: 'T-6' },
    }),
    expect: only({ support: 202 }),
    fourEyes: true,
  },
  {
    route: 'GET /v1/support/requests (SUPPORT_APPROVAL=required)',
    request: () => ({ method: 'GET', url: '/v1/support/requests' }),
    expect: only({ support: 200 }),
    fourEyes: true,
  },
  {
    route: "POST /v1/support/requests/{another agent's}/approval (SUPPORT_APPROVAL=required)",
    request: ({ othersRequestId }) => ({
      method: 'POST',
      url: `/v1/support/requests/${othersRequestId}/approval`,
    }),
    expect: only({ support: 200 }),
    fourEyes: true,
  },
  {
    route: 'POST /v1/support/requests/{own}/withdrawal (SUPPORT_APPROVAL=required)',
    request: ({ ownRequestId }) => ({
      method: 'POST',
      url: `/v1/support/requests/${ownRequestId}/withdrawal`,
    }),
    expect: only({ support: 200 }),
    fourEyes: true,
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

/** A service with its callers signed in, and the users the rows act on. */
type Setting = {
  service: RunningService;
  dataDir: string;
  ids: Ids;
  tokens: Map<Caller, Record<string, string>>;
};

const startSetting = async (env: Record<string, string> = {}): Promise<Setting> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-matrix-'));
  const service = await startService(
    loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: apiKey, ...env }),
  );
  const ids: Ids = {
    officeId: '',
    memberId: '',
    resetTargetId: '',
    eraseTargetId: '',
    temporaryTargetId: '',
    othersRequestId: '',
    ownRequestId: '',
  };
  const tokens = new Map<Caller, Record<string, string>>();
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
  const support = { authorization: `Bearer ${(await signIn('support', 'support', otherOfficeId)).token}` };
  tokens.set('support', support);
  tokens.set('auditor', {
    authorization: `Bearer ${(await signIn('auditor', 'auditor', otherOfficeId)).token}`,
  });
  tokens.set('platform-key', platform);
  if (env.SUPPORT_APPROVAL === 'required') {
    const colleague = {
      authorization: `Bearer ${(await signIn('support-2', 'support', otherOfficeId)).token}`,
    };
    const why = { reason: 'matrix', ticket: 'T-7' };
    const ask = async (path: string, headers: Record<string, string>) =>
      (await inject('POST', `/v1/support/users/${path}`, why, headers)).requestId!;
    ids.othersRequestId = await ask(`${ids.resetTargetId}/two-factor-reset`, colleague);
    ids.ownRequestId = await ask(`${ids.eraseTargetId}/erasure`, support);
  }
  return { service, dataDir, ids, tokens };
};

describe('S12 authorization matrix: every route × every caller', () => {
  let plain: Setting;
  let fourEyes: Setting;
  const settingOf = (row: Row) => (row.fourEyes ? fourEyes : plain);

  beforeAll(async () => {
    plain = await startSetting();
    fourEyes = await startSetting({ SUPPORT_APPROVAL: 'required' });
  });

  afterAll(async () => {
    for (const setting of [plain, fourEyes]) {
      await setting?.service.stop();
      if (setting !== undefined) rmSync(setting.dataDir, { recursive: true, force: true });
    }
  });

  let run = 0;
  for (const row of matrix) {
    for (const caller of callers) {
      it(`${row.route} as ${caller} → ${row.expect[caller]}`, async () => {
        const { service, ids, tokens } = settingOf(row);
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
      const { service, ids, tokens } = settingOf(row);
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
