import { randomBytes } from 'node:crypto';
import pg from 'pg';

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

const onServer = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/** A database of its own for one test file on the test server; `drop` removes it, connections and all. */
export const privateDatabase = async (purpose: string): Promise<PrivateDatabase> => {
  const name = `sf_${purpose.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`.toLowerCase();
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      onServer(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
};
