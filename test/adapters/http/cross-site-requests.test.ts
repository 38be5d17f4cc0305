import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, type RouteTestService, startRouteTestService } from './routes/route-test-service.ts';

const evil = 'http://evil.example';
/** app.inject() sends `Host: localhost:80`, so this is the service's own origin in these tests. */
const own = 'http://localhost';

type Method = 'POST' | 'PUT' | 'DELETE';
type Operation = { method: Method; url: string };

/** Every state-changing route the app serves, read from its OpenAPI document: a new route is in it too. */
const stateChangingRoutes = async (t: RouteTestService): Promise<Operation[]> => {
  const document = (await t.service.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .map((method) => method.toUpperCase())
      .filter((method): method is Method => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method))
      .map((method) => ({ method, url: path.replaceAll(/\{[^}]+\}/g, randomUUID()) })),
  );
};

const isCrossSiteRefusal = (reply: { statusCode: number; body: string }) =>
  reply.statusCode === 403 && (JSON.parse(reply.body) as { code?: string }).code === 'cross-site-request';

describe('cross-site requests', () => {
  let t: RouteTestService;
  let officeId: string;
  let routes: Operation[];
  let users = 0;
  const freshMember = async (role = 'member') => {
    const username = `cross-site-${++users}`;
    await t.createUser(officeId, username, role);
    return t.signIn(username);
  };
  const withCookie = (token: string, headers: Record<string, string> = {}) => ({
    cookie: `sf_session=${token}`,
    ...headers,
  });

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Cross-site office');
    routes = await stateChangingRoutes(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('finds the state-changing routes (login, logout, me, offices, support, platform)', () => {
    const urls = routes.map(({ method, url }) => `${method} ${url}`).join('\n');
    for (const expected of [
      /^POST \/v1\/login$/m,
      /^POST \/v1\/logout$/m,
      /^DELETE \/v1\/me\/two-factor$/m,
      /^PUT \/v1\/offices\/[\w-]+\/two-factor-policy$/m,
      /^POST \/v1\/support\/users\/[\w-]+\/erasure$/m,
      /^POST \/v1\/platform\/users$/m,
      /^POST \/v1\/freeze$/m,
    ])
      expect(urls).toMatch(expected);
  });

  it('refuses a cookie request from another Origin on every state-changing route (403 cross-site-request)', async () => {
    const token = await freshMember();
    for (const { method, url } of routes) {
      const reply = await t.call(method, url, { body: {}, headers: withCookie(token, { origin: evil }) });
      expect(isCrossSiteRefusal(reply), `${method} ${url}: ${reply.statusCode} ${reply.body}`).toBe(true);
      expectProblem(reply, 403, 'cross-site-request');
    }
    expect((await t.call('GET', '/v1/me', { headers: withCookie(token) })).statusCode).toBe(200);
  });

  it('declares that 403 in the OpenAPI document of every state-changing route, as a problem', async () => {
    const document = (await t.service.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const undeclared = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        .filter(
          ([, operation]) =>
            operation.responses['403']?.content?.['application/problem+json' as never] === undefined,
        )
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('refuses one that says Sec-Fetch-Site cross-site or same-site, without Origin, on every route', async () => {
    const token = await freshMember();
    for (const site of ['cross-site', 'same-site'])
      for (const { method, url } of routes) {
        const reply = await t.call(method, url, {
          body: {},
          headers: withCookie(token, { 'sec-fetch-site': site }),
        });
        expect(isCrossSiteRefusal(reply), `${site} ${method} ${url}: ${reply.body}`).toBe(true);
      }
  });

  it('refuses an opaque Origin (null, from a sandboxed frame or a redirect)', async () => {
    const reply = await t.call('POST', '/v1/logout', {
      headers: withCookie(await freshMember(), { origin: 'null' }),
    });
    expectProblem(reply, 403, 'cross-site-request');
  });

  it('lets the own origin, a bearer header from anywhere, and a client with neither header through', async () => {
    const callers: Record<string, Record<string, string>> = {
      'same Origin': withCookie(await freshMember(), { origin: own }),
      'Sec-Fetch-Site same-origin': withCookie(await freshMember(), { 'sec-fetch-site': 'same-origin' }),
      'bearer from another Origin': { authorization: `Bearer ${await freshMember()}`, origin: evil },
      'API key from another Origin': {
        'x-api-key': 'a-header-no-page-of-another-site-can-add',
        origin: evil,
      },
      'no Origin, no Sec-Fetch-Site (not a browser)': withCookie(await freshMember()),
    };
    // Logging out ends the callers' sessions: last.
    const inOrder = routes.toSorted(
      (a, b) => Number(a.url === '/v1/logout') - Number(b.url === '/v1/logout'),
    );
    for (const { method, url } of inOrder)
      for (const [caller, headers] of Object.entries(callers)) {
        const reply = await t.call(method, url, { body: {}, headers });
        expect(isCrossSiteRefusal(reply), `${caller}: ${method} ${url}: ${reply.body}`).toBe(false);
      }
    expect(
      (await t.call('POST', '/v1/logout', { headers: callers['same Origin'] })).statusCode,
      'the own pages log out',
    ).toBe(204);
  });

  it('keeps a session that another site tries to log out, and logs out from the own pages (204)', async () => {
    const token = await freshMember();
    expectProblem(
      await t.call('POST', '/v1/logout', { headers: withCookie(token, { origin: evil }) }),
      403,
      'cross-site-request',
    );
    expect((await t.call('GET', '/v1/me', { headers: withCookie(token) })).statusCode).toBe(200);
    const reply = await t.call('POST', '/v1/logout', { headers: withCookie(token, { origin: own }) });
    expect(reply.statusCode).toBe(204);
    expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
  });

  it('changes an office policy for the own pages and a bearer client, never for another site', async () => {
    const admin = await freshMember('office-admin');
    const url = `/v1/offices/${officeId}/two-factor-policy`;
    const put = (required: boolean, headers: Record<string, string>) =>
      t.call('PUT', url, { body: { required }, headers });
    expectProblem(await put(true, withCookie(admin, { origin: evil })), 403, 'cross-site-request');
    expect((await t.call('GET', url, { token: admin })).json()).toMatchObject({ required: false });
    expect((await put(true, withCookie(admin, { origin: own }))).statusCode).toBe(200);
    expect((await put(false, { authorization: `Bearer ${admin}`, origin: evil })).statusCode).toBe(200);
    expect((await t.call('GET', url, { token: admin })).json()).toMatchObject({ required: false });
  });

  it('refuses a login posted from another site (login CSRF), and takes it from the own pages', async () => {
    const username = `cross-site-${++users}`;
    await t.createUser(officeId, username);
    const login = (origin: string) =>
      t.call('POST', '/v1/login', {
        body: { username, password: 'route tests password 1' },
        headers: { origin },
      });
    expectProblem(await login(evil), 403, 'cross-site-request');
    expect((await login(own)).statusCode).toBe(200);
  });
});

describe('cross-site requests with CORS_ORIGINS and behind a trusted proxy', () => {
  let t: RouteTestService;
  let token: string;

  beforeAll(async () => {
    t = await startRouteTestService({
      CORS_ORIGINS: 'https://app.example',
      TRUST_PROXY: '127.0.0.1',
    });
    const officeId = await t.createOffice();
    await t.createUser(officeId, 'proxied');
    token = await t.signIn('proxied');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const enrol = (headers: Record<string, string>, cookieName = 'sf_session') =>
    t.call('POST', '/v1/me/two-factor/enrollment', {
      body: { password: 'route tests password 1' },
      headers: { cookie: `${cookieName}=${token}`, ...headers },
    });

  it('accepts a cookie request from an origin in CORS_ORIGINS (200)', async () => {
    expect((await enrol({ origin: 'https://app.example' })).statusCode).toBe(200);
  });

  it('takes the own origin from X-Forwarded-Proto and -Host of a trusted proxy', async () => {
    // Over https the cookie in force is the Secure one.
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sf.example' };
    expect((await enrol({ ...proxied, origin: 'https://sf.example' }, '__Host-sf_session')).statusCode).toBe(
      200,
    );
    expectProblem(await enrol({ ...proxied, origin: own }, '__Host-sf_session'), 403, 'cross-site-request');
  });
});

describe('cross-site requests when the proxy headers come from an untrusted peer', () => {
  let t: RouteTestService;

  beforeAll(async () => {
    t = await startRouteTestService();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('ignores X-Forwarded-Host without TRUST_PROXY: the forged origin is another site (403)', async () => {
    const reply = await t.call('POST', '/v1/logout', {
      headers: {
        cookie: 'sf_session=whatever',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        origin: 'https://evil.example',
      },
    });
    expectProblem(reply, 403, 'cross-site-request');
  });
});
