import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite, SqliteOpenError } from '../../../src/adapters/sqlite/open-sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'second-factor-open-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another thread takes the write lock of `path` and keeps it for `holdMs` (the opener blocks this one). */
const holdWriteLock = async (path: string, holdMs: number): Promise<{ released: Promise<void> }> => {
  const worker = new Worker(
    `const { DatabaseSync } = require('node:sqlite');
     const { parentPort, workerData } = require('node:worker_threads');
     const db = new DatabaseSync(workerData.path);
     db.exec('BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS holder (x)');
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { path, holdMs } },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return { released: new Promise((resolve) => worker.once('exit', () => resolve())) };
};

const journalModeOf = (db: DatabaseSync) =>
  (db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;

const counterTable = (db: DatabaseSync) => {
  db.exec('CREATE TABLE IF NOT EXISTS opened (n INTEGER NOT NULL)');
  if (db.prepare('SELECT n FROM opened').get() === undefined) db.exec('INSERT INTO opened (n) VALUES (1)');
};

describe('opening a SQLite file that another process holds', () => {
  it('is refused by SQLite at once, busy timeout or not, when the file still has to switch to WAL', async () => {
    const path = join(dir, 'plain.sqlite');
    const holder = await holdWriteLock(path, 300);
    const db = new DatabaseSync(path);
    db.exec('PRAGMA busy_timeout = 5000');
    expect(() => db.exec('PRAGMA journal_mode = WAL')).toThrow('database is locked');
    db.close();
    await holder.released;
  });

  it('retries the switch to WAL with back-off and opens once the writer is done', async () => {
    const path = join(dir, 'retried.sqlite');
    const holder = await holdWriteLock(path, 300);
    const db = openSqlite(path, { journalMode: 'wal', migrate: counterTable });
    expect(journalModeOf(db)).toBe('wal');
    expect(db.prepare('SELECT n FROM opened').all()).toEqual([{ n: 1 }]);
    db.close();
    await holder.released;
  });

  it('gives up after its bound with an error that names the file', async () => {
    const path = join(dir, 'held-too-long.sqlite');
    const holder = await holdWriteLock(path, 1_000);
    expect(() => openSqlite(path, { journalMode: 'wal', retryForMs: 200 })).toThrow(SqliteOpenError);
    expect(() => openSqlite(path, { journalMode: 'wal', retryForMs: 50 })).toThrow(
      `Could not open the SQLite file ${path}: PRAGMA journal_mode = wal was still refused`,
    );
    await holder.released;
  });

  it('waits for a writer that holds a rollback-journal file before migrating, then migrates', async () => {
    const path = join(dir, 'rollback.sqlite');
    const holder = await holdWriteLock(path, 300);
    const db = openSqlite(path, { journalMode: 'delete', migrate: counterTable });
    expect(journalModeOf(db)).toBe('delete');
    expect(db.prepare('SELECT n FROM opened').all()).toEqual([{ n: 1 }]);
    db.close();
    await holder.released;
  });
});

describe('the migration of a SQLite file', () => {
  it('runs on every open and leaves one schema however often the file is opened', () => {
    const path = join(dir, 'twice.sqlite');
    for (let round = 0; round < 3; round += 1)
      openSqlite(path, { journalMode: 'wal', migrate: counterTable }).close();
    const db = new DatabaseSync(path);
    expect(db.prepare('SELECT n FROM opened').all()).toEqual([{ n: 1 }]);
    db.close();
  });

  it('is rolled back whole when it fails, and the error is not retried', () => {
    const path = join(dir, 'failing.sqlite');
    let runs = 0;
    const failing = (db: DatabaseSync) => {
      runs += 1;
      db.exec('CREATE TABLE half_made (x)');
      throw new Error('the schema is newer than this service');
    };
    expect(() => openSqlite(path, { journalMode: 'wal', migrate: failing })).toThrow(
      'newer than this service',
    );
    expect(runs).toBe(1);
    const db = new DatabaseSync(path);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_made'").all()).toEqual([]);
    db.close();
  });

  it('does not retry a file that cannot be opened at all', () => {
    expect(() => openSqlite(join(dir, 'no-such-dir', 'x.sqlite'), { journalMode: 'wal' })).toThrow(
      'unable to open database file',
    );
  });
});
