import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/config.ts';

const root = join(import.meta.dirname, '../..');
const yamlFile = (path: string) => parse(readFileSync(join(root, path), 'utf8'));

type Service = {
  image?: string;
  env?: Record<string, string>;
  environment?: Record<string, string>;
  ports?: string[];
};

/** Fills `${NAME:-default}` with its default and `${NAME:?message}` with what the operator would set. */
const substitute = (value: string, operator: Record<string, string>) =>
  value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind: string, rest: string) =>
    kind === '-' ? (operator[name] ?? rest) : (operator[name] ?? ''),
  );

const operator = {
  SECRET_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  PLATFORM_API_KEY: 'p'.repeat(40),
};

describe('deployment files', () => {
  const compose = yamlFile('docker-compose.yml') as { services: Record<string, Service> };
  const composePostgres = yamlFile('docker-compose.postgres.yml') as {
    services: Record<string, Service & { depends_on?: Record<string, { condition: string }> }>;
  };
  const workflow = yamlFile('.github/workflows/ci.yml') as {
    on: Record<string, unknown>;
    jobs: Record<
      string,
      { services: Record<string, Service>; env: Record<string, string>; steps: { run?: string }[] }
    >;
  };

  it('CI runs the test command on every push with KurrentDB (as in docker-compose.yml), Redis and PostgreSQL 15', () => {
    expect(Object.keys(workflow.on)).toContain('push');
    const job = workflow.jobs.test;
    if (job === undefined) throw new Error('ci.yml has no test job');
    expect(Object.keys(job.services).sort()).toEqual(['eventstore', 'postgres', 'redis']);
    expect(job.services.eventstore?.image).toBe(compose.services.eventstore?.image);
    expect(job.services.eventstore?.env?.KURRENTDB_INSECURE).toBe('true');
    expect(job.services.postgres?.image).toMatch(/^postgres:15/);
    expect(job.steps.map((step) => step.run)).toContain('npm test');
  });

  it('CI points each store variable at its service container, each one a value the service accepts', () => {
    const job = workflow.jobs.test;
    if (job === undefined) throw new Error('ci.yml has no test job');
    const published = (service: string) => job.services[service]?.ports?.map((port) => port.split(':')[0]);
    const pairs: [keyof typeof job.env, string][] = [
      ['EVENTSTORE_URL', 'eventstore'],
      ['REDIS_URL', 'redis'],
      ['DATABASE_URL', 'postgres'],
    ];
    for (const [variable, service] of pairs) {
      const value = job.env[variable];
      if (value === undefined) throw new Error(`ci.yml does not set ${variable}`);
      expect(loadConfig({ [variable]: value })[variable as 'REDIS_URL']).toBe(value);
      expect(published(service)).toContain(new URL(value).port);
    }
  });

  it('the PostgreSQL compose file runs the service on its PostgreSQL and Redis once both are healthy', () => {
    const { postgres, redis, service } = composePostgres.services;
    expect(postgres?.image).toMatch(/^postgres:15\.\d+$/);
    expect(redis?.image).toBe(compose.services.redis?.image);
    // Only the service is published; the keys are generated once into its volume, not per start.
    expect([postgres?.ports, redis?.ports]).toEqual([undefined, undefined]);
    expect(service?.environment?.SECRET_KEYS).toMatch(/^\$\{SECRET_KEYS:-\}$/);
    expect(service?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    const env = Object.fromEntries(
      Object.entries(service?.environment ?? {}).map(([name, value]) => [name, substitute(value, operator)]),
    );
    const config = loadConfig(env);
    expect(config.EVENTSTORE_URL).toBeUndefined();
    expect(new URL(config.DATABASE_URL ?? '').host).toBe('postgres:5432');
    expect(new URL(config.DATABASE_URL ?? '').username).toBe(postgres?.environment?.POSTGRES_USER);
    expect(new URL(config.REDIS_URL ?? '').host).toBe('redis:6379');
  });
});
