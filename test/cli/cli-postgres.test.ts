import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, deleteKeysWithPrefix } from '../../src/adapters/redis/connect-redis.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startService } from '../../src/main.ts';
import {
  noPostgresReason,
  type PrivateDatabase,
  postgresAnswers,
  privateDatabase,
  sql,
} from '../support/postgres.ts';
import { findTestRedis } from '../support/redis.ts';

const k1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const k2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const redis = postgresAnswers ? await findTestRedis() : null;
const redisPrefix = `test:cli-pg:${randomUUID()}:`;
if (!postgresAnswers) console.warn(`CLI on PostgreSQL ${noPostgresReason}`);

describe.skipIf(!postgresAnswers)('second-factor CLI on PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-cli-pg-'));
  let database: PrivateDatabase;
  let stayingId = '';
  let leavingId = '';

  const cli = (args: string[], secretKeys = k1, input = '') =>
    spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/second-factor.js'), ...args], {
      input,
      encoding: 'utf8',
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        EVENTSTORE_URL: '',
        DATABASE_URL: database.url,
        REDIS_URL: redis?.url ?? '',
        REDIS_KEY_PREFIX: redisPrefix,
        SECRET_KEYS: secretKeys,
      },
    });

  beforeAll(async () => {
    database = await privateDatabase('cli');
  });
  afterAll(async () => {
    await database?.drop();
    if (redis !== null) {
      const connection = await connectRedis(redis.url);
      await deleteKeysWithPrefix(connection, redisPrefix);
      connection.disconnect();
      await redis.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an office and users, and erases one: their data key row is deleted and a tombstone kept', async () => {
    const office = cli(['offices', 'create', '--name', 'Kantoor Gent']);
    expect(office.status, office.stderr).toBe(0);
    const officeId = office.stdout.trim().split(' ').at(-1) ?? '';
    const create = (username: string) =>
      cli(
        ['users', 'create', '--office', officeId, '--username', username, '--role', 'member'],
        k1,
        'postgres cli password\n',
      ).stdout.trim();
    stayingId = create('stays.here');
    leavingId = create('leaves.now');
    expect(stayingId).not.toBe('');
    const erased = cli(['users', 'erase', leavingId, '--ticket', 'DPO-1', '--reason', 'asked']);
    expect(erased.status, erased.stderr).toBe(0);
    const keys = await sql<{ subject_id: string }>(
      database.url,
      "SELECT subject_id FROM data_keys WHERE subject_id LIKE 'person:%'",
    );
    expect(keys.map((row) => row.subject_id)).toEqual([`person:${stayingId}`]);
    const tombstones = await sql<{ subject_id: string }>(
      database.url,
      'SELECT subject_id FROM erased_subjects',
    );
    expect(tombstones.map((row) => row.subject_id)).toEqual([`person:${leavingId}`]);
  });

  it('keys rewrap moves the remaining data key to the newest keyring key', () => {
    const rewrap = cli(['keys', 'rewrap'], `${k2},${k1}`);
    expect(rewrap.status, rewrap.stderr).toBe(0);
    expect(rewrap.stderr).toContain('data keys of 2 users: 1 re-wrapped with "k2", 0 were already, 1 erased');
  });

  it.skipIf(redis === null)('rebuild projects every event from PostgreSQL into Redis', () => {
    const rebuild = cli(['rebuild'], k2);
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuild.stdout).toMatch(
      /7 events projected into a fresh set of read models \(Redis generation \d+\)/,
    );
  });

  it('the service on PostgreSQL logs in the remaining user with only the new key, and refuses the erased one', async () => {
    const service = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        SECRET_KEYS: k2,
      }),
    );
    try {
      const login = async (username: string) => {
        for (let attempt = 0; ; attempt++) {
          const reply = await service.app.inject({
            method: 'POST',
            url: '/v1/login',
            payload: { username, password: 'postgres cli password' },
          });
          if (reply.statusCode !== 503 || attempt > 100) return reply;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      expect((await login('stays.here')).json()).toMatchObject({ status: 'authenticated' });
      expect((await login('leaves.now')).statusCode).toBe(401);
    } finally {
      await service.stop();
    }
  });

  it('audit verify reports intact chains, then the stream changed in the database with exit code 3', async () => {
    const intact = cli(['audit', 'verify']);
    expect(intact.status, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/all chains intact/);
    await sql(
      database.url,
      `UPDATE events SET data = jsonb_set(data::jsonb, '{name}', '"Forged"')::json WHERE type = 'OfficeRegistered'`,
    );
    const tampered = cli(['audit', 'verify']);
    expect(tampered.status).toBe(3);
    expect(tampered.stdout).toMatch(/BROKEN office-.+ at revision 0 .*content-changed/);
  });
});
