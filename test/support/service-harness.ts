import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import { codeAt } from './totp-codes.ts';

export const platformKey = 'harness-platform-key-0123456789abcdef0123456';
export const password = 'harness password 1';

type Reply = { status: number; body: Record<string, unknown>; headers: Record<string, unknown> };

/** The embedded service in a temporary data directory, driven through `app.inject`. */
export const startHarness = async (env: Record<string, string> = {}, logger?: Logger) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-harness-'));
  const service: RunningService = await startService(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PLATFORM_API_KEY: platformKey,
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '100000',
      // Tests log in 20 at once, which a loaded machine may not hash within the default deadline;
      // the hashing bound has tests of its own (login-busy, bounded-password-hasher).
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: '60000',
      // The service lowers this test process's libuv threads, and no process can raise them back: at the
      // default niceness every later argon2id call of the file would yield to the other test workers.
      PASSWORD_HASH_NICENESS: '0',
      ...env,
    }),
    logger,
  );

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options: { body?: unknown; token?: string; apiKey?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey === true) headers['x-api-key'] = platformKey;
    const response = await service.app.inject({
      method,
      url,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const text = response.body;
    return {
      status: response.statusCode,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      headers: response.headers,
    };
  };

  const office = async (name = 'Harness office'): Promise<string> =>
    (await call('POST', '/v1/platform/offices', { body: { name }, apiKey: true })).body.officeId as string;

  const user = async (officeId: string, username: string, role = 'member'): Promise<string> => {
    const reply = await call('POST', '/v1/platform/users', {
      body: { officeId, username, password, role },
      apiKey: true,
    });
    if (reply.status !== 201)
      throw new Error(`user ${username}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.userId as string;
  };

  const login = (username: string, code?: string) =>
    call('POST', '/v1/login', { body: { username, password, ...(code === undefined ? {} : { code }) } });

  const sessionOf = async (username: string): Promise<string> => {
    const reply = await login(username);
    if (reply.body.status !== 'authenticated') throw new Error(`${username}: ${JSON.stringify(reply.body)}`);
    return reply.body.session as string;
  };

  /** Enrols a signed-in user, confirming with the previous step's code; returns the secret and codes. */
  const enrol = async (username: string) => {
    const session = await sessionOf(username);
    const started = await call('POST', '/v1/me/two-factor/enrollment', {
      body: { password },
      token: session,
    });
    const secret = started.body.secret as string;
    const confirmed = await call('POST', '/v1/me/two-factor/enrollment/confirm', {
      body: { enrollmentId: started.body.enrollmentId, code: codeAt(secret, -1) },
      token: session,
    });
    if (confirmed.status !== 200) throw new Error(`enrol ${username}: ${JSON.stringify(confirmed.body)}`);
    return {
      session,
      secret,
      otpauthUri: started.body.otpauthUri as string,
      recoveryCodes: confirmed.body.recoveryCodes as string[],
    };
  };

  return {
    service,
    dataDir,
    call,
    office,
    user,
    login,
    sessionOf,
    enrol,
    stop: async () => {
      await service.stop({ dropRedisKeys: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export type Harness = Awaited<ReturnType<typeof startHarness>>;
