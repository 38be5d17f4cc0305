import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { loadConfig } from '../../../../src/config/config.ts';
import { type AdapterOverrides, type RunningService, startService } from '../../../../src/main.ts';
import { codeAt } from '../../../support/totp-codes.ts';

export const apiKey = 'route-tests-platform-key-0123456789abcdef0123';
export const password = 'route tests password 1';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Json = Record<string, unknown>;

/** The embedded service on a fresh data directory, with a few helpers for route tests. */
export type RouteTestService = {
  service: RunningService;
  /** The embedded store's folder (events.sqlite, keys). */
  dataDir: string;
  stop: () => Promise<void>;
  /** Any request; `token` becomes a bearer header. */
  call: (
    method: Method,
    url: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ) => Promise<LightMyRequestResponse>;
  platform: (method: Method, url: string, body?: unknown) => Promise<LightMyRequestResponse>;
  createOffice: (name?: string) => Promise<string>;
  createUser: (officeId: string, username: string, role?: string) => Promise<string>;
  /** Password-only login that must end signed in. */
  signIn: (username: string) => Promise<string>;
  /** A signed-in user with 2FA enrolled; the secret produces its codes. */
  enrolledUser: (
    officeId: string,
    username: string,
    role?: string,
  ) => Promise<{ userId: string; token: string; secret: string; recoveryCodes: string[] }>;
};

export const startRouteTestService = async (
  env: Record<string, string> = {},
  overrides: AdapterOverrides = {},
): Promise<RouteTestService> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-routes-'));
  const service = await startService(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PLATFORM_API_KEY: apiKey,
      // Route tests sign in far more often than people do; the limits have tests of their own.
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '100000',
      // Bursts of logins a loaded machine may not hash within the default deadline (see login-busy).
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: '60000',
      // The service lowers this test process's libuv threads, and no process can raise them back: at the
      // default niceness every later argon2id call of the file would yield to the other test workers.
      PASSWORD_HASH_NICENESS: '0',
      ...env,
    }),
    undefined,
    overrides,
  );
  let offices = 0;
  const call: RouteTestService['call'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const request: InjectOptions = { method, url, headers };
    if (options.body !== undefined) request.payload = options.body as InjectOptions['payload'];
    return service.app.inject(request);
  };
  const platform: RouteTestService['platform'] = (method, url, body) =>
    call(method, url, { body, headers: { 'x-api-key': apiKey } });
  const createOffice = async (name = `Office ${++offices}`) => {
    const reply = await platform('POST', '/v1/platform/offices', { name });
    expect(reply.statusCode, reply.body).toBe(201);
    return (reply.json() as { officeId: string }).officeId;
  };
  const createUser = async (officeId: string, username: string, role = 'member') => {
    const reply = await platform('POST', '/v1/platform/users', { officeId, username, password, role });
    expect(reply.statusCode, reply.body).toBe(201);
    return (reply.json() as { userId: string }).userId;
  };
  const signIn = async (username: string) => {
    const reply = await call('POST', '/v1/login', { body: { username, password } });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json() as { status: string; session: string };
    expect(body.status).toBe('authenticated');
    return body.session;
  };
  const enrolledUser: RouteTestService['enrolledUser'] = async (officeId, username, role = 'member') => {
    const userId = await createUser(officeId, username, role);
    const token = await signIn(username);
    const started = await call('POST', '/v1/me/two-factor/enrollment', { body: { password }, token });
    expect(started.statusCode, started.body).toBe(200);
    const { enrollmentId, secret } = started.json() as { enrollmentId: string; secret: string };
    // The previous step's code confirms, so the current and next steps stay free for the test.
    const confirmed = await call('POST', '/v1/me/two-factor/enrollment/confirm', {
      body: { enrollmentId, code: codeAt(secret, -1) },
      token,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    return {
      userId,
      token,
      secret,
      recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes,
    };
  };
  return {
    service,
    dataDir,
    call,
    platform,
    createOffice,
    createUser,
    signIn,
    enrolledUser,
    stop: async () => {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** An error answer: its status, problem+json, and its stable code. */
export const expectProblem = (reply: LightMyRequestResponse, status: number, code: string): Json => {
  expect(reply.statusCode, reply.body).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = reply.json() as Json;
  expect(body).toMatchObject({ status, code, type: `urn:second-factor:problem:${code}` });
  return body;
};

/** A 400 schema violation names the offending fields. */
export const expectInvalidRequest = (reply: LightMyRequestResponse, ...paths: string[]): Json => {
  const body = expectProblem(reply, 400, 'invalid-request');
  if (paths.length > 0) {
    const fields = body.fields as { path: string; message: string }[];
    expect(Array.isArray(fields)).toBe(true);
    const given = fields.map((field) => field.path);
    for (const path of paths)
      expect(
        given.some((p) => p.includes(path)),
        JSON.stringify(fields),
      ).toBe(true);
  }
  return body;
};
