/**
 * Phase 11: the PostgreSQL event store. Appends through the port with 1 and 16 writers against raw
 * single-row INSERTs with as many connections; projection lag at 1,000 events/s; login-requirements
 * and the code step on PostgreSQL + Redis against the bare route. Each part on a database of its own, dropped after.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { RedisReadModels } from '../../src/adapters/redis/redis-read-models.ts';
// The tests' helper for a private database on the test server (DATABASE_URL, else this machine's).
import { noPostgresReason, postgresAnswers, privateDatabase } from '../../test/support/postgres.ts';
import { measureBareRoute } from '../harness/bare-route.ts';
import type { Bench } from '../harness/bench.ts';
import type { Figure } from '../harness/figures.ts';
import type { Phase } from '../harness/phase.ts';
import { stopChild } from '../harness/processes.ts';
import { startServiceChild } from '../harness/service.ts';
import { progress, redisUrl, round, settings, sleep } from '../harness/settings.ts';
import { eventMetadata, seedEventStore } from '../seed.ts';
import { measureLoginRequirements } from './login-requirements.ts';
import { lagShape, measureProjectionLag } from './projection-lag.ts';
import { measureCodeStep } from './second-factor.ts';

const writerCounts = [1, 16] as const;

const withDatabase = async <T>(purpose: string, work: (url: string) => Promise<T>): Promise<T> => {
  const database = await privateDatabase(purpose);
  try {
    return await work(database.url);
  } finally {
    await database.drop();
  }
};

/** Runs `writers` loops for the bench's append time; each calls `appendOne(writer, n)`; returns calls/s. */
const ratePerSecond = async (writers: number, appendOne: (writer: number, n: number) => Promise<unknown>) => {
  let appended = 0;
  const started = performance.now();
  const deadline = started + settings.appendSeconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; performance.now() < deadline; n += 1) {
        await appendOne(writer, n);
        appended += 1;
      }
    }),
  );
  return appended / ((performance.now() - started) / 1000);
};

const appendFigures = (): Promise<Figure[]> =>
  withDatabase('bench_appends', async (url) => {
    const store = new PostgresEventStore(url);
    const pool = new pg.Pool({ connectionString: url, max: 16 });
    pool.on('error', () => {});
    const figures: Figure[] = [];
    try {
      await store.headPosition();
      await pool.query(`CREATE TABLE raw_events (
        position bigserial PRIMARY KEY, stream_id text NOT NULL, revision integer NOT NULL,
        type text NOT NULL, data json NOT NULL, metadata json NOT NULL, UNIQUE (stream_id, revision))`);
      const data = { officeId: 'o', name: 'Bench' };
      for (const writers of writerCounts) {
        const storeRate = await ratePerSecond(writers, (writer, n) =>
          store.append(
            `bench-${writers}-${writer}`,
            [{ type: 'OfficeRegistered', data, metadata: eventMetadata() }],
            n === 0 ? 'no-stream' : n - 1,
          ),
        );
        const rawRate = await ratePerSecond(writers, (writer, n) =>
          pool.query({
            name: 'raw-insert',
            text: 'INSERT INTO raw_events (stream_id, revision, type, data, metadata) VALUES ($1, $2, $3, $4, $5)',
            values: [`raw-${writers}-${writer}`, n, 'OfficeRegistered', data, eventMetadata()],
          }),
        );
        progress(
          `  ${writers} writer(s): event store ${Math.round(storeRate)} appends/s, raw INSERT ${Math.round(rawRate)}/s`,
        );
        figures.push({
          figure: `PostgreSQL single-event appends, ${writers} writer${writers === 1 ? '' : 's'}`,
          value: round(storeRate),
          unit: 'appends/s',
          baseline: round(rawRate),
          ratio: round(storeRate / rawRate, 2),
          target: '—',
          met: null,
          note: `baseline: autocommit single-row INSERT on ${writers} connection${writers === 1 ? '' : 's'}, same server`,
        });
      }
    } finally {
      await store.close();
      await pool.end();
    }
    return figures;
  });

/**
 * Copies a seeded SQLite store (and its data keys) into the PostgreSQL tables in one transaction, at the
 * same positions: one append per event through the port would commit hundreds of thousands of times.
 */
const copyIntoPostgres = async (
  eventsPath: string,
  keysPath: string | null,
  url: string,
): Promise<number> => {
  const store = new PostgresEventStore(url);
  await store.headPosition(); // creates the schema
  await store.close();
  const events = new DatabaseSync(eventsPath, { readOnly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let head = 0;
  try {
    await client.query('BEGIN');
    const page = events.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 5000');
    for (;;) {
      const rows = page.all(head) as Record<string, string | number>[];
      if (rows.length === 0) break;
      const column = (name: string) => rows.map((row) => row[name]);
      await client.query(
        `INSERT INTO events (position, stream_id, revision, type, data, metadata)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::json[], $6::json[])`,
        ['position', 'stream_id', 'revision', 'type', 'data', 'metadata'].map(column),
      );
      head = Number(rows.at(-1)?.position);
    }
    await client.query('UPDATE all_head SET position = $1', [head]);
    if (keysPath !== null) {
      const keys = new DatabaseSync(keysPath, { readOnly: true });
      for (const [table, columns] of [
        ['data_keys', ['subject_id', 'wrapped_key']],
        ['erased_subjects', ['subject_id', 'erased_at']],
      ] as const) {
        const rows = keys.prepare(`SELECT * FROM ${table}`).all() as Record<string, string>[];
        await client.query(
          `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest($1::text[], $2::text[])`,
          columns.map((name) => rows.map((row) => row[name])),
        );
      }
      keys.close();
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
    events.close();
  }
  return head;
};

const lagFigures = (bench: Bench): Promise<Figure[]> =>
  withDatabase('bench_lag', async (url) => {
    const source = join(bench.dirs.lag, 'postgres-source.sqlite');
    await seedEventStore(source, lagShape, bench.keyring, '$argon2id$bench', null);
    const seededEvents = await copyIntoPostgres(source, null, url);
    progress(`  projection lag at 1,000 events/s on PostgreSQL (${seededEvents} events seeded)`);
    const { figures, raw } = await measureProjectionLag(
      bench,
      { DATA_DIR: bench.dirs.lag, DATABASE_URL: url, REDIS_KEY_PREFIX: `${bench.keyBase}pglag:` },
      seededEvents,
      ', PostgreSQL, concurrent appends',
      // One durable append at a time reaches only 1 / commit latency here; requests append concurrently.
      { concurrentAppends: true },
    );
    bench.raw.postgresProjectionLag = raw;
    return figures;
  });

const loginFigures = (bench: Bench): Promise<Figure[]> =>
  withDatabase('bench_service', async (url) => {
    const copied = await copyIntoPostgres(
      join(bench.dirs.service, 'events.sqlite'),
      join(bench.dirs.service, 'data-keys.sqlite'),
      url,
    );
    progress(`  service on PostgreSQL + Redis: ${copied} events copied; starting and catching up`);
    const prefix = `${bench.keyBase}pgsvc:`;
    const dataDir = join(bench.dirs.work, 'postgres-service');
    mkdirSync(dataDir, { recursive: true });
    const service = await startServiceChild({
      dataDir,
      redis: { url: redisUrl, prefix },
      secretKeys: bench.secretKeys,
      platformApiKey: bench.platformApiKey,
      env: { DATABASE_URL: url },
    });
    try {
      const readModels = new RedisReadModels(bench.redis, { prefix });
      while ((await readModels.checkpoint()) < copied) {
        if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.logs.join('')}`);
        await sleep(50);
      }
      // The bare route serves a copy of a real user document: taken from this service's read models.
      const baseline = await measureBareRoute(
        { ...bench, prefixes: { ...bench.prefixes, service: prefix } },
        bench.users.enrolled[0]!.userId,
      );
      const { figures, measured } = await measureLoginRequirements(
        bench,
        service,
        baseline,
        ', PostgreSQL + Redis',
      );
      bench.raw.postgresLoginRequirements = { service: measured, baseline };
      const codeStep = await measureCodeStep(bench, service, prefix, baseline, ', PostgreSQL + Redis');
      bench.raw.postgresSecondFactor = { service: codeStep.measured, warmup: codeStep.warmup };
      return [...figures, codeStep.figure];
    } finally {
      await stopChild(service.child);
    }
  });

export const postgres: Phase = {
  number: 11,
  name: 'postgres',
  stage: 'alone',
  run: async (bench) => {
    progress(
      'phase 11: the PostgreSQL event store (appends vs raw INSERT, projection lag, login-requirements, code step)',
    );
    if (!postgresAnswers) {
      progress(`  ${noPostgresReason}`);
      return [];
    }
    return [...(await appendFigures()), ...(await lagFigures(bench)), ...(await loginFigures(bench))];
  },
};
