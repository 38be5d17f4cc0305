import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAt } from '../../support/totp-codes.ts';
import { apiKey, type RouteTestService, startRouteTestService } from './routes/route-test-service.ts';

type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: object }>;
  parameters?: { name: string; in: string }[];
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};

const projectRoot = new URL('../../../', import.meta.url).pathname;
let api: RouteTestService;
let document: Document;
let source: string;

const operations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

beforeAll(async () => {
  api = await startRouteTestService();
  source = (await api.call('GET', '/openapi.json')).body;
  document = JSON.parse(source) as Document;
});
afterAll(async () => api.stop());

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended rules with 0 errors", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source, absoluteRef: join(projectRoot, 'openapi.json'), config });
    const errors = problems
      .filter((problem) => problem.severity === 'error')
      .map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  });

  it('gives every operation a unique camelCase operationId and a declared security', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(ids.every((id) => id !== undefined && /^[a-z][a-zA-Z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations().filter(({ operation }) => operation.security === undefined)).toEqual([]);
    const idOf = (method: string, path: string) => document.paths[path]?.[method]?.operationId;
    expect(idOf('post', '/v1/login')).toBe('login');
    expect(idOf('get', '/v1/me/two-factor')).toBe('getMyTwoFactor');
  });

  it('says which operations need a session or the platform key', () => {
    const securityOf = (method: string, path: string) => document.paths[path]?.[method]?.security;
    expect(securityOf('get', '/v1/me')).toEqual([{ session: [] }, { sessionCookie: [] }]);
    expect(securityOf('post', '/v1/platform/users')).toEqual([{ platformKey: [] }]);
    expect(securityOf('post', '/v1/login')).toEqual([]);
    expect(securityOf('get', '/healthz')).toEqual([]);
    // Enrolment takes a session, or the challenge of a login held back for it.
    expect(securityOf('post', '/v1/me/two-factor/enrollment')).toContainEqual({});
  });

  it('answers 401 without credentials on every operation that declares a required security', async () => {
    const secured = operations().filter(
      ({ operation }) =>
        (operation.security?.length ?? 0) > 0 &&
        !operation.security?.some((s) => Object.keys(s).length === 0),
    );
    expect(secured.length).toBeGreaterThan(15);
    for (const { path, method, operation } of secured) {
      const url = path.replaceAll(/\{[^}]+\}/g, 'someid');
      const response = await api.call(method.toUpperCase() as 'GET', url, {
        ...(operation.requestBody === undefined ? {} : { body: {} }),
      });
      // A session route validates its body before it looks at the session: 400 is the other honest answer.
      expect([401, 400], `${method} ${path}`).toContain(response.statusCode);
      if (response.statusCode === 401) expect(operation.responses['401'], `${method} ${path}`).toBeDefined();
    }
  });

  it('declares errors as application/problem+json with the shared Problem component', () => {
    for (const { path, method, operation } of operations())
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || path === '/readyz') continue;
        expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual([
          'application/problem+json',
        ]);
        expect(response.content?.['application/problem+json']?.schema?.$ref).toBe(
          '#/components/schemas/Problem',
        );
      }
  });

  it('lists only the errors a route can give, ETag where If-Match is accepted, real content types', () => {
    const statuses = (method: string, path: string) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {});
    expect(statuses('get', '/v1/me/two-factor')).toEqual(['200', '401', '404', '503']);
    const policy = '/v1/offices/{officeId}/two-factor-policy';
    expect(document.paths[policy]?.put?.responses['200']?.headers).toHaveProperty('etag');
    expect(document.paths[policy]?.get?.responses['200']?.headers).toHaveProperty('etag');
    expect(statuses('put', policy)).toContain('412');
    expect(
      Object.keys(document.paths['/v1/audit/events/export']?.get?.responses['200']?.content ?? {}),
    ).toEqual(['application/x-ndjson']);
    expect(Object.keys(document.paths['/readyz']?.get?.responses['503']?.content ?? {})).toEqual([
      'application/json',
    ]);
  });

  it('names the shared schemas as components and bounds integer fields', () => {
    const schemas = document.components?.schemas ?? {};
    for (const name of ['Problem', 'Session', 'SessionUser', 'LoginAnswer', 'AuditEvent', 'OfficePolicy'])
      expect(schemas, name).toHaveProperty(name);
    const integers: unknown[] = [];
    JSON.parse(source, (_key, value) => {
      if (value?.type === 'integer') integers.push(value);
      return value;
    });
    expect(integers.length).toBeGreaterThan(5);
    for (const integer of integers as { minimum?: number; maximum?: number }[]) {
      expect(integer.minimum).toBeGreaterThanOrEqual(0);
      expect(integer.maximum).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    }
  });
});

const run = promisify(execFile);

describe('a typed client generated from the document', () => {
  let dir: string;
  beforeAll(() => {
    mkdirSync(join(projectRoot, 'test-output'), { recursive: true });
    dir = mkdtempSync(join(projectRoot, 'test-output', 'openapi-client-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles a program that logs in, enrols and checks the login, and the program works', async () => {
    writeFileSync(join(dir, 'api.ts'), await openapiTS(document as unknown as OpenAPI3));
    expect(readFileSync(join(dir, 'api.ts'), 'utf8')).toContain('LoginAnswer:');
    writeFileSync(
      join(dir, 'program.ts'),
      `import createClient from 'openapi-fetch';
import type { components, paths } from './api.ts';

type Session = components['schemas']['Session'];

/** Provisions a user, signs in, enrols an app and asks what the next login needs. */
export const flow = async (
  baseUrl: string,
  apiKey: string,
  codeFor: (secret: string) => string,
): Promise<components['schemas']['LoginRequirements']['secondFactor']> => {
  const client = createClient<paths>({ baseUrl });
  const platform = { headers: { 'x-api-key': apiKey } };
  const office = await client.POST('/v1/platform/offices', { ...platform, body: { name: 'Typed office' } });
  if (office.data === undefined) throw new Error(office.error.code);
  const password = 'typed client password';
  const user = await client.POST('/v1/platform/users', {
    ...platform,
    body: { officeId: office.data.officeId, username: 'typed-user', password, role: 'member' },
  });
  if (user.data === undefined) throw new Error(user.error.code);
  const login = await client.POST('/v1/login', { body: { username: 'typed-user', password } });
  if (login.data?.status !== 'authenticated') throw new Error('not signed in');
  const session: Session = login.data;
  const auth = { headers: { authorization: \`Bearer \${session.session}\` } };
  const started = await client.POST('/v1/me/two-factor/enrollment', { ...auth, body: { password } });
  if (started.data === undefined) throw new Error(started.error.code);
  const confirmed = await client.POST('/v1/me/two-factor/enrollment/confirm', {
    ...auth,
    body: { enrollmentId: started.data.enrollmentId, code: codeFor(started.data.secret) },
  });
  if (confirmed.data === undefined) throw new Error(confirmed.error.code);
  const codes: string[] = confirmed.data.recoveryCodes;
  if (codes.length === 0) throw new Error('no recovery codes');
  const check = await client.GET('/v1/platform/users/{userId}/login-requirements', {
    ...platform,
    params: { path: { userId: user.data.userId } },
  });
  if (check.data === undefined) throw new Error(check.error.code);
  // The types are real: a misspelt field does not compile.
  // @ts-expect-error 'user' is not a field of the login body
  const misspelt = await client.POST('/v1/login', { body: { user: 'x', password } });
  if (misspelt.response.status !== 400) throw new Error('a misspelt body was accepted');
  return check.data.secondFactor;
};
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2024',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2024', 'dom'],
          types: [],
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
        },
        include: ['*.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const tsc = join(projectRoot, 'node_modules', '.bin', 'tsc');
    const compiled = await run(tsc, ['-p', dir]).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(compiled).toBe('');

    const program = (await import(join(dir, 'program.ts'))) as {
      flow: (baseUrl: string, key: string, codeFor: (secret: string) => string) => Promise<string>;
    };
    expect(await program.flow(api.service.url, apiKey, (secret) => codeAt(secret))).toBe('required');
  }, 60_000);
});
