import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DataKeyStore, StoredDataKey } from '../../application/ports/data-key-store.ts';
import { inImmediateTransaction, openSqlite } from '../sqlite/open-sqlite.ts';

/**
 * Data keys in their own SQLite file beside the events. `secure_delete` overwrites a deleted key's bytes
 * in the file, and the rollback journal that briefly holds them is deleted at each commit.
 */
export class SqliteDataKeyStore implements DataKeyStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<
    'erased' | 'find' | 'insert' | 'replace' | 'delete' | 'tombstone',
    StatementSync
  >;

  constructor(path: string) {
    // Several instances may open (and create) the file at once: openSqlite makes that safe.
    this.db = openSqlite(path, {
      journalMode: 'delete',
      connectionPragmas: ['synchronous = FULL', 'secure_delete = ON'],
      migrate: (db) =>
        db.exec(`
          CREATE TABLE IF NOT EXISTS data_keys (subject_id TEXT PRIMARY KEY, wrapped_key TEXT NOT NULL);
          CREATE TABLE IF NOT EXISTS erased_subjects (subject_id TEXT PRIMARY KEY, erased_at TEXT NOT NULL);
        `),
    });
    this.statements = {
      erased: this.db.prepare('SELECT erased_at FROM erased_subjects WHERE subject_id = ?'),
      // One round trip for the start-up catch-up, which looks up every user's key.
      find: this.db.prepare(`SELECT
        (SELECT erased_at FROM erased_subjects WHERE subject_id = ?1) AS erased_at,
        (SELECT wrapped_key FROM data_keys WHERE subject_id = ?1) AS wrapped_key`),
      insert: this.db.prepare('INSERT OR IGNORE INTO data_keys (subject_id, wrapped_key) VALUES (?, ?)'),
      replace: this.db.prepare(
        'UPDATE data_keys SET wrapped_key = ? WHERE subject_id = ? AND wrapped_key = ?',
      ),
      delete: this.db.prepare('DELETE FROM data_keys WHERE subject_id = ?'),
      tombstone: this.db.prepare(
        'INSERT OR IGNORE INTO erased_subjects (subject_id, erased_at) VALUES (?, ?)',
      ),
    };
  }

  async find(subjectId: string): Promise<StoredDataKey | null> {
    const row = this.statements.find.get(subjectId) as {
      erased_at: string | null;
      wrapped_key: string | null;
    };
    if (row.erased_at !== null) return { state: 'erased', erasedAt: row.erased_at };
    return row.wrapped_key === null ? null : { state: 'active', wrappedKey: row.wrapped_key };
  }

  async create(subjectId: string, wrappedKey: string): Promise<StoredDataKey> {
    this.transaction(() => {
      if (this.statements.erased.get(subjectId) === undefined)
        this.statements.insert.run(subjectId, wrappedKey);
    });
    const stored = await this.find(subjectId);
    if (stored === null) throw new Error(`The data key of ${subjectId} was not stored.`);
    return stored;
  }

  async replace(subjectId: string, expectedWrappedKey: string, newWrappedKey: string): Promise<boolean> {
    const result = this.statements.replace.run(newWrappedKey, subjectId, expectedWrappedKey);
    return Number(result.changes) > 0;
  }

  async erase(subjectId: string, erasedAt: string): Promise<boolean> {
    return this.transaction(() => {
      const deleted = this.statements.delete.run(subjectId);
      this.statements.tombstone.run(subjectId, erasedAt);
      return Number(deleted.changes) > 0;
    });
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  /** IMMEDIATE takes the write lock up front, so two processes cannot both decide from a stale read. */
  private transaction<T>(work: () => T): T {
    return inImmediateTransaction(this.db, work);
  }
}
