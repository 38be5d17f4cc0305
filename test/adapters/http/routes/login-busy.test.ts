import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllableHasher } from '../../../support/controllable-hasher.ts';
import {
  expectProblem,
  type Json,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

/** Waits for something the service does on its own (a hash starting, a call queueing). */
const until = async (what: string, condition: () => boolean | Promise<boolean>) => {
  const giveUpAt = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const withoutInstance = (body: Json) => {
  const { instance: _instance, ...rest } = body;
  return rest;
};

const metricValue = async (t: RouteTestService, line: string): Promise<number | null> => {
  const text = (await t.call('GET', '/metrics')).body;
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? null : Number(found.slice(line.length + 1));
};

const login = (t: RouteTestService, username: string, attempt = password) =>
  t.call('POST', '/v1/login', { body: { username, password: attempt } });

/** The service over a fake hasher that the test holds and releases, with one user named `username`. */
const serviceOverHeldHasher = (limits: Record<string, string>, username: string) => {
  const fake = controllableHasher({ held: false });
  const running: { t?: RouteTestService } = {};
  beforeAll(async () => {
    running.t = await startRouteTestService(limits, { passwordHasher: fake.hasher });
    await running.t.createUser(await running.t.createOffice(), username);
    // The stand-in hash unknown usernames are checked against is made on first use: make it now.
    expectProblem(await login(running.t, 'nobody.yet', 'any password'), 401, 'invalid-credentials');
  });
  afterAll(async () => {
    fake.releaseAll();
    await running.t?.stop();
  });
  return { fake, service: () => running.t! };
};

describe('password logins beyond the hashing bound (one at a time, one waiting)', () => {
  const { fake, service } = serviceOverHeldHasher(
    {
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE_LIMIT: '1',
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: '10000',
    },
    'early.bird',
  );

  it('answers 503 busy with Retry-After at once when the queue is full, to known and unknown usernames alike', async () => {
    const t = service();
    fake.hold();
    const running = login(t, 'early.bird');
    await until('the first login hashes', () => fake.running() === 1);
    const waiting = login(t, 'nobody.here', 'waiting password');
    await until(
      'the second login waits',
      async () => (await metricValue(t, 'second_factor_password_hash_queue_length')) === 1,
    );

    const known = await login(t, 'early.bird', 'a wrong password');
    const unknown = await login(t, 'no.such.user', 'a wrong password');
    const knownBody = expectProblem(known, 503, 'busy');
    expectProblem(unknown, 503, 'busy');
    expect(known.headers['retry-after']).toBe('10');
    expect(unknown.headers['retry-after']).toBe('10');
    expect(withoutInstance(unknown.json() as Json)).toEqual(withoutInstance(knownBody));
    expect(fake.started()).not.toContain('a wrong password');

    fake.releaseAll();
    expect((await running).statusCode).toBe(200);
    expectProblem(await waiting, 401, 'invalid-credentials');
    expect(await metricValue(t, 'second_factor_password_hash_refused_total{reason="queue-full"}')).toBe(2);
    expect(
      await metricValue(t, 'second_factor_password_hash_queue_wait_seconds_count'),
    ).toBeGreaterThanOrEqual(2);
    expect(await metricValue(t, 'second_factor_password_hash_queue_length')).toBe(0);
  });

  it('makes a known user wait behind the dummy verification of an unknown username', async () => {
    const t = service();
    fake.hold();
    const unknown = login(t, 'no.such.person', 'unknown password');
    await until('the unknown username is checked', () => fake.started().includes('unknown password'));
    const known = login(t, 'early.bird');
    await until(
      'the known user waits',
      async () => (await metricValue(t, 'second_factor_password_hash_queue_length')) === 1,
    );
    expect(fake.running()).toBe(1);

    fake.releaseOldest();
    await until(
      'the known user is checked next',
      () => fake.running() === 1 && fake.waitingForRelease() === 1,
    );
    expect(fake.started().at(-1)).toBe(password);
    fake.releaseAll();
    expectProblem(await unknown, 401, 'invalid-credentials');
    expect((await known).statusCode).toBe(200);
    expect(fake.mostAtOnce()).toBe(1);
  });
});

describe('a password login whose turn does not come in time', () => {
  const { fake, service } = serviceOverHeldHasher(
    { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_LIMIT: '5', PASSWORD_HASH_QUEUE_TIMEOUT_MS: '200' },
    'patient',
  );

  it('answers 503 busy with Retry-After when the deadline passes, and the running login still succeeds', async () => {
    const t = service();
    fake.hold();
    const running = login(t, 'patient');
    await until('the first login hashes', () => fake.running() === 1);
    const late = await login(t, 'patient', 'second try');
    expectProblem(late, 503, 'busy');
    expect(late.headers['retry-after']).toBe('1');
    expect(fake.started()).not.toContain('second try');
    expect(await metricValue(t, 'second_factor_password_hash_refused_total{reason="deadline"}')).toBe(1);

    fake.releaseAll();
    expect((await running).statusCode).toBe(200);
  });
});
