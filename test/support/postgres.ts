import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import {
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from '../../src/adapters/eventstore/postgres/postgres-event-store.ts';

/** The server tests use: DATABASE_URL if set, else this machine's PostgreSQL with trust auth. */
export const testPostgresUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const answers = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
};

export const postgresAnswers: boolean = await answers(testPostgresUrl);

export const noPostgresReason =
  'SKIPPED: no PostgreSQL (DATABASE_URL unset and nothing answers at 127.0.0.1:5432 as user postgres, database test)';

export type PrivateDatabase = { url: string; name: string; drop: () => Promise<void> };

/** Runs one statement on a connection of its own and returns the rows. */
export const sql = async <R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
};

/** A database of its own for one test file on the test server; `drop` removes it, connections and all. */
export const privateDatabase = async (purpose: string): Promise<PrivateDatabase> => {
  const name = `sf_${purpose.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`.toLowerCase();
  await sql(testPostgresUrl, `CREATE DATABASE ${name}`);
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => void (await sql(testPostgresUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
};

/**
 * For a describe block: a private database made before its tests, and `open()` for event stores on it
 * (several stores stand for several instances); all are closed and the database dropped afterwards.
 */
export const privateStores = (purpose: string, defaults: PostgresEventStoreOptions = {}) => {
  let database: PrivateDatabase | undefined;
  const stores: PostgresEventStore[] = [];
  beforeAll(async () => {
    database = await privateDatabase(purpose);
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
  });
  const url = (): string => {
    if (database === undefined) throw new Error('privateStores: the database is made in beforeAll');
    return database.url;
  };
  return {
    url,
    open: (options: PostgresEventStoreOptions = {}): PostgresEventStore => {
      const store = new PostgresEventStore(url(), { ...defaults, ...options });
      stores.push(store);
      return store;
    },
  };
};
