import pg from 'pg';
import { EventStoreUnavailableError } from '../../../application/ports/event-store.ts';
import { migrate } from './schema.ts';

/** The channel appends notify on commit: a wake-up for followers, carrying nothing they rely on. */
export const appendsChannel = 'second_factor_appends';

/** `pipeline`: queries queued on a connection are sent without waiting for the answers before them. */
export const openPool = (connectionString: string, options: { pipeline?: boolean } = {}): pg.Pool => {
  const pool = new pg.Pool({
    connectionString,
    pipeline: options.pipeline ?? false,
    max: 10,
    connectionTimeoutMillis: 5_000,
    // A session that died half-way through an append must not hold the $all head lock for long.
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'second-factor',
  });
  // An idle connection that drops (server restart) is removed from the pool; the next call reconnects.
  pool.on('error', () => {});
  // One that drops while checked out fails its queries; its 'error' event must not end the process.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
};

export const unavailable = (what: string, error: unknown): EventStoreUnavailableError =>
  error instanceof EventStoreUnavailableError
    ? error
    : new EventStoreUnavailableError(
        `PostgreSQL: ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );

/** Runs `work` in one transaction on one pooled connection; a connection that failed is not reused. */
export const inTransaction = async <T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> => {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    const broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    client.release(broken ? (error as Error) : undefined);
    throw error;
  }
};

/** Migrates once per pool before the first use, and again after a failed attempt (server down at start). */
export const migratedOnce = (pool: pg.Pool): (() => Promise<void>) => {
  let migrated: Promise<void> | null = null;
  return () => {
    migrated ??= inTransaction(pool, migrate).catch((error: unknown) => {
      migrated = null;
      throw error;
    });
    return migrated;
  };
};
