import { DatabaseSync } from 'node:sqlite';

export type SqliteOpenOptions = {
  journalMode: 'wal' | 'delete';
  /** Pragmas of the connection only (synchronous, secure_delete…): they do not touch the file. */
  connectionPragmas?: string[];
  /** Creates or checks the schema; runs inside `BEGIN IMMEDIATE`, so it must only be idempotent. */
  migrate?: (db: DatabaseSync) => void;
  /** How long SQLite's own busy handler waits for a lock, per statement. */
  busyTimeoutMs?: number;
  /** How long to keep retrying what SQLite refuses without its busy handler, in all. */
  retryForMs?: number;
};

const defaultBusyTimeoutMs = 5_000;
const defaultRetryForMs = 30_000;
const firstDelayMs = 5;
const longestDelayMs = 250;
const sqliteBusy = 5;

export class SqliteOpenError extends Error {
  constructor(path: string, step: string, attempts: number, elapsedMs: number, cause: unknown) {
    super(
      `Could not open the SQLite file ${path}: ${step} was still refused ("database is locked") after ${attempts} attempts over ${elapsedMs} ms; another process keeps it locked.`,
      { cause },
    );
    this.name = 'SqliteOpenError';
  }
}

const isBusy = (error: unknown): boolean =>
  error instanceof Error &&
  'errcode' in error &&
  typeof error.errcode === 'number' &&
  (error.errcode & 0xff) === sqliteBusy;

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Runs `step` until SQLite stops answering SQLITE_BUSY, with exponential back-off and full jitter
 * (so processes that collided do not collide again in step), for at most `retryForMs`.
 * Synchronous on purpose: it runs at start-up, where SQLite's own busy handler blocks the same way.
 */
const retryWhileBusy = <T>(path: string, stepName: string, retryForMs: number, step: () => T): T => {
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return step();
    } catch (error) {
      const elapsed = Date.now() - started;
      if (!isBusy(error)) throw error;
      if (elapsed >= retryForMs) throw new SqliteOpenError(path, stepName, attempt, elapsed, error);
      const ceiling = Math.min(longestDelayMs, firstDelayMs * 2 ** (attempt - 1));
      sleepSync(Math.min(Math.random() * ceiling, retryForMs - elapsed));
    }
  }
};

/** Runs `work` in one transaction that takes the write lock up front (so the busy handler applies). */
export const inImmediateTransaction = <T>(db: DatabaseSync, work: (db: DatabaseSync) => T): T => {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work(db);
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
};

/**
 * Opens (and, when new, creates) a SQLite file that other processes may be opening at the same moment.
 * Switching a new file's journal mode needs an exclusive lock that SQLite refuses at once, without
 * calling its busy handler, while another connection holds a write lock; the same holds for a schema
 * change that started as a read. So the journal switch is retried with back-off, and the schema is
 * made in `BEGIN IMMEDIATE` (write lock first, so the busy handler applies), retried the same way.
 */
export const openSqlite = (path: string, options: SqliteOpenOptions): DatabaseSync => {
  const retryForMs = options.retryForMs ?? defaultRetryForMs;
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? defaultBusyTimeoutMs}`);
    retryWhileBusy(path, `PRAGMA journal_mode = ${options.journalMode}`, retryForMs, () => {
      const { journal_mode: mode } = db.prepare(`PRAGMA journal_mode = ${options.journalMode}`).get() as {
        journal_mode: string;
      };
      if (mode !== options.journalMode)
        throw new Error(
          `The SQLite file ${path} stayed in journal mode ${mode}, not ${options.journalMode}.`,
        );
    });
    for (const pragma of options.connectionPragmas ?? []) db.exec(`PRAGMA ${pragma}`);
    const { migrate } = options;
    if (migrate !== undefined)
      retryWhileBusy(path, 'the schema migration', retryForMs, () => inImmediateTransaction(db, migrate));
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
};
