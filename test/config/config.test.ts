import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, cookieSecurity, loadConfig } from '../../src/config/config.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('gives the embedded defaults when the environment is empty', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      TOTP_ISSUER: 'second-factor',
      TOTP_WINDOW: 1,
      CORS_ORIGINS: [],
    });
    expect(config.EVENTSTORE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('reads numbers, URLs and lists from their text', () => {
    const config = loadConfig({
      PORT: '8080',
      REDIS_URL: 'redis://127.0.0.1:6379/3',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.PORT).toBe(8080);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/3');
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads the audit checkpoint interval as seconds or with a unit, hourly by default, 0 for off', () => {
    expect(loadConfig({}).AUDIT_CHECKPOINT_INTERVAL).toBe(3600);
    expect(loadConfig({ AUDIT_CHECKPOINT_INTERVAL: '90' }).AUDIT_CHECKPOINT_INTERVAL).toBe(90);
    expect(loadConfig({ AUDIT_CHECKPOINT_INTERVAL: '15m' }).AUDIT_CHECKPOINT_INTERVAL).toBe(900);
    expect(loadConfig({ AUDIT_CHECKPOINT_INTERVAL: '2h' }).AUDIT_CHECKPOINT_INTERVAL).toBe(7200);
    expect(loadConfig({ AUDIT_CHECKPOINT_INTERVAL: '0' }).AUDIT_CHECKPOINT_INTERVAL).toBe(0);
    expect(problemsOf({ AUDIT_CHECKPOINT_INTERVAL: 'hourly' })[0]).toMatch(
      /^AUDIT_CHECKPOINT_INTERVAL: expected seconds/,
    );
  });

  it('reads how long temporary access lasts: 24 hours by default, a whole number of 1 to 168', () => {
    expect(loadConfig({}).TEMPORARY_ACCESS_MAX_HOURS).toBe(24);
    expect(loadConfig({ TEMPORARY_ACCESS_MAX_HOURS: '168' }).TEMPORARY_ACCESS_MAX_HOURS).toBe(168);
    for (const bad of ['0', '169', '1.5', 'a day'])
      expect(problemsOf({ TEMPORARY_ACCESS_MAX_HOURS: bad })[0], bad).toMatch(
        /^TEMPORARY_ACCESS_MAX_HOURS: /,
      );
  });

  it('names the variable and what was expected when a value is bad', () => {
    const [problem] = problemsOf({ PORT: 'abc' });
    expect(problem).toMatch(/^PORT: expected a whole number/);
    expect(problem).toContain('"abc"');
  });

  it('writes every request line by default, and refuses a sample share outside 0..1', () => {
    expect(loadConfig({}).LOG_REQUEST_SAMPLE).toBe(1);
    expect(loadConfig({ LOG_REQUEST_SAMPLE: '0.25' }).LOG_REQUEST_SAMPLE).toBe(0.25);
    expect(problemsOf({ LOG_REQUEST_SAMPLE: '1.5' })[0]).toMatch(/^LOG_REQUEST_SAMPLE: /);
    expect(problemsOf({ LOG_REQUEST_SAMPLE: 'half' })[0]).toMatch(/^LOG_REQUEST_SAMPLE: expected a number/);
  });

  it('refuses a TOTP window wider than one step either side', () => {
    expect(problemsOf({ TOTP_WINDOW: '2' })[0]).toMatch(/^TOTP_WINDOW/);
  });

  it('keeps four-eyes off by default, reads required, and refuses anything else naming SUPPORT_APPROVAL', () => {
    expect(loadConfig({}).SUPPORT_APPROVAL).toBe('off');
    expect(loadConfig({ SUPPORT_APPROVAL: 'required' }).SUPPORT_APPROVAL).toBe('required');
    expect(problemsOf({ SUPPORT_APPROVAL: 'yes' })[0]).toMatch(/^SUPPORT_APPROVAL.*off.*required/);
  });

  it('names a bad secret setting without echoing its value', () => {
    const [problem] = problemsOf({ PLATFORM_API_KEY: 'short-key' });
    expect(problem).toMatch(/^PLATFORM_API_KEY: expected at least 32 characters/);
    expect(problem).not.toContain('short-key');
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ PORT: '-1', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
    ]);
  });

  it('bounds password hashing to all cores but one by default, with a queue of 100, a 3 s deadline and hashing threads at niceness 10', () => {
    expect(loadConfig({})).toMatchObject({
      PASSWORD_HASH_CONCURRENCY: Math.max(1, availableParallelism() - 1),
      PASSWORD_HASH_QUEUE_LIMIT: 100,
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: 3_000,
      PASSWORD_HASH_NICENESS: 10,
    });
    expect(
      loadConfig({
        PASSWORD_HASH_CONCURRENCY: '3',
        PASSWORD_HASH_QUEUE_LIMIT: '0',
        PASSWORD_HASH_QUEUE_TIMEOUT_MS: '250',
      }),
    ).toMatchObject({
      PASSWORD_HASH_CONCURRENCY: 3,
      PASSWORD_HASH_QUEUE_LIMIT: 0,
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: 250,
    });
  });

  it('refuses a password hashing bound below one, a negative queue and a deadline that is not a duration', () => {
    const problems = problemsOf({
      PASSWORD_HASH_CONCURRENCY: '0',
      PASSWORD_HASH_QUEUE_LIMIT: '-1',
      PASSWORD_HASH_QUEUE_TIMEOUT_MS: 'soon',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'PASSWORD_HASH_CONCURRENCY',
      'PASSWORD_HASH_QUEUE_LIMIT',
      'PASSWORD_HASH_QUEUE_TIMEOUT_MS',
    ]);
    expect(problemsOf({ PASSWORD_HASH_QUEUE_TIMEOUT_MS: '0' })[0]).toMatch(/^PASSWORD_HASH_QUEUE_TIMEOUT_MS/);
    expect(problemsOf({ PASSWORD_HASH_NICENESS: '20' })[0]).toMatch(/^PASSWORD_HASH_NICENESS/);
    expect(loadConfig({ PASSWORD_HASH_NICENESS: '0' }).PASSWORD_HASH_NICENESS).toBe(0);
    expect(problemsOf({ PASSWORD_HASH_CONCURRENCY: '1.5' })[0]).toMatch(
      /^PASSWORD_HASH_CONCURRENCY: expected a whole number/,
    );
  });

  it('reads a PostgreSQL DATABASE_URL, and refuses it beside EVENTSTORE_URL, naming both, hiding the values', () => {
    const url = 'postgresql://sf:pg-password@db.internal:5432/second_factor';
    expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/sf' }).DATABASE_URL).toBe('postgres://db/sf');
    const [wrongScheme] = problemsOf({ DATABASE_URL: 'mysql://db/sf' });
    expect(wrongScheme).toMatch(
      /^DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\//,
    );
    const both = problemsOf({ DATABASE_URL: url, EVENTSTORE_URL: 'esdb://localhost:2113?tls=false' });
    expect(both).toHaveLength(1);
    expect(both[0]).toMatch(/^DATABASE_URL: set only one of EVENTSTORE_URL and DATABASE_URL/);
    expect(both[0]).not.toContain('pg-password');
  });

  it('reads Sentinel and Cluster nodes as host:port lists', () => {
    const sentinel = loadConfig({
      REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'sf-master',
      REDIS_PASSWORD: 'hunter2-but-longer',
    });
    expect(sentinel.REDIS_SENTINELS).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(sentinel.REDIS_SENTINEL_NAME).toBe('sf-master');
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' }).REDIS_CLUSTER_NODES).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ]);
  });

  it('accepts one Redis topology at most, naming the variables set', () => {
    const [problem] = problemsOf({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:7000' });
    expect(problem).toMatch(
      /^REDIS_CLUSTER_NODES: set only one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES/,
    );
    expect(problem).toContain('found REDIS_URL and REDIS_CLUSTER_NODES');
  });

  it('wants a master group name with Sentinels, and only with them', () => {
    expect(problemsOf({ REDIS_SENTINELS: 's:26379' })[0]).toMatch(
      /^REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/,
    );
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'm' })[0]).toMatch(
      /^REDIS_SENTINEL_NAME: only used with REDIS_SENTINELS/,
    );
  });

  it('refuses a node that is not host:port', () => {
    for (const nodes of ['a', 'a:', ':7000', 'a:70000', 'a:7000,,b:7001']) {
      expect(problemsOf({ REDIS_CLUSTER_NODES: nodes })[0]).toMatch(
        /^REDIS_CLUSTER_NODES: expected a comma list of host:port/,
      );
    }
  });

  it('never echoes REDIS_PASSWORD, and refuses it without Sentinels or a Cluster', () => {
    const [problem] = problemsOf({ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'very-secret-password' });
    expect(problem).toMatch(/^REDIS_PASSWORD: only used with REDIS_SENTINELS or REDIS_CLUSTER_NODES/);
    expect(problem).not.toContain('very-secret-password');
  });
  it('makes the session cookie Secure by request (auto) on loopback, always with servers or beyond it, unless set', () => {
    expect(cookieSecurity(loadConfig({}))).toBe('auto');
    expect(cookieSecurity(loadConfig({ HOST: 'localhost' }))).toBe('auto');
    expect(cookieSecurity(loadConfig({ HOST: '0.0.0.0' }))).toBe('always');
    expect(cookieSecurity(loadConfig({ HOST: '0.0.0.0', COOKIE_SECURE: 'auto' }))).toBe('auto');
    expect(cookieSecurity(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe('always');
    expect(cookieSecurity(loadConfig({ EVENTSTORE_URL: 'esdb://localhost:2113' }))).toBe('always');
    expect(cookieSecurity(loadConfig({ DATABASE_URL: 'postgres://localhost/sf' }))).toBe('always');
    expect(cookieSecurity(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }))).toBe('always');
    expect(cookieSecurity(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', COOKIE_SECURE: 'auto' }))).toBe(
      'auto',
    );
    expect(cookieSecurity(loadConfig({ COOKIE_SECURE: 'never' }))).toBe('never');
    expect(problemsOf({ COOKIE_SECURE: 'yes' })[0]).toMatch(/^COOKIE_SECURE: /);
  });

  it('reads TRUST_PROXY as none, any, a number of hops or a list of addresses', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,::1, fd00::/8' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', 'yes'])
      expect(problemsOf({ TRUST_PROXY: bad })[0], bad).toMatch(/^TRUST_PROXY: expected true, false/);
  });
});
