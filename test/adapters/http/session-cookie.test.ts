import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from './routes/route-test-service.ts';

/** How a request reached the service: straight over plain HTTP, or through a TLS proxy that says so. */
const arrivals = {
  'plain HTTP': {},
  'behind a proxy saying https': { 'x-forwarded-proto': 'https' },
} as const;
type Arrival = keyof typeof arrivals;

type Expected = Record<Arrival, 'secure' | 'plain'>;

/** Each setting, with and without a trusted proxy, and what the session cookie must be for each arrival. */
const settings: { env: Record<string, string>; expected: Expected }[] = [
  { env: {}, expected: { 'plain HTTP': 'plain', 'behind a proxy saying https': 'plain' } },
  {
    env: { TRUST_PROXY: '127.0.0.1' },
    expected: { 'plain HTTP': 'plain', 'behind a proxy saying https': 'secure' },
  },
  {
    env: { COOKIE_SECURE: 'auto', TRUST_PROXY: 'loopback' },
    expected: { 'plain HTTP': 'plain', 'behind a proxy saying https': 'secure' },
  },
  {
    env: { COOKIE_SECURE: 'always' },
    expected: { 'plain HTTP': 'secure', 'behind a proxy saying https': 'secure' },
  },
  {
    env: { COOKIE_SECURE: 'never', TRUST_PROXY: '127.0.0.1' },
    expected: { 'plain HTTP': 'plain', 'behind a proxy saying https': 'plain' },
  },
];

const cookieNames = { secure: '__Host-sf_session', plain: 'sf_session' } as const;

for (const { env, expected } of settings) {
  const label = Object.keys(env).length === 0 ? 'no settings' : JSON.stringify(env);

  describe(`session cookie with ${label}`, () => {
    let t: RouteTestService;
    let users = 0;

    beforeAll(async () => {
      t = await startRouteTestService(env);
    });
    afterAll(async () => {
      await t?.stop();
    });

    for (const [arrival, headers] of Object.entries(arrivals) as [Arrival, Record<string, string>][]) {
      const kind = expected[arrival];
      const name = cookieNames[kind];
      const other = cookieNames[kind === 'secure' ? 'plain' : 'secure'];

      const signIn = async () => {
        const username = `cookie-${++users}`;
        await t.createUser(await t.createOffice(), username);
        const reply = await t.call('POST', '/v1/login', { body: { username, password }, headers });
        expect(reply.statusCode, reply.body).toBe(200);
        return { reply, token: (reply.json() as { session: string }).session };
      };

      it(`${arrival}: the login sets ${name}${kind === 'secure' ? ' (Secure, Path=/, no Domain)' : ' without Secure'}`, async () => {
        const { reply, token } = await signIn();
        const setCookie = String(reply.headers['set-cookie']);
        expect(setCookie.startsWith(`${name}=${token};`), setCookie).toBe(true);
        expect(setCookie).toMatch(/; HttpOnly/i);
        expect(setCookie).toMatch(/; SameSite=Strict/i);
        expect(setCookie).toMatch(/; Path=\/(;|$)/);
        expect(setCookie).not.toMatch(/; Domain=/i);
        if (kind === 'secure') expect(setCookie).toMatch(/; Secure(;|$)/i);
        else expect(setCookie).not.toMatch(/; Secure/i);
      });

      it(`${arrival}: ${name} is read and ${other} is not`, async () => {
        const { token } = await signIn();
        const withCookie = (cookieName: string) =>
          t.call('GET', '/v1/me', { headers: { ...headers, cookie: `${cookieName}=${token}` } });
        expect((await withCookie(name)).statusCode).toBe(200);
        expectProblem(await withCookie(other), 401, 'unauthenticated');
      });

      it(`${arrival}: logging out clears ${name}`, async () => {
        const { token } = await signIn();
        const reply = await t.call('POST', '/v1/logout', {
          headers: { ...headers, cookie: `${name}=${token}` },
        });
        expect(reply.statusCode).toBe(204);
        const setCookie = String(reply.headers['set-cookie']);
        expect(setCookie.startsWith(`${name}=;`), setCookie).toBe(true);
        if (kind === 'secure') expect(setCookie).toMatch(/; Secure(;|$)/i);
        expectProblem(await t.call('GET', '/v1/me', { token }), 401, 'unauthenticated');
      });
    }
  });
}
