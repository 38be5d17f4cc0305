import type pg from 'pg';
import type { DataKeyStore, StoredDataKey } from '../../../application/ports/data-key-store.ts';
import { inTransaction, migratedOnce, openPool, unavailable } from './postgres-pool.ts';

/** The first key of the two-number advisory locks that serialise creating and erasing one subject's key. */
const subjectLockSpace = 0x5ecf_da7a;

/**
 * Data keys in the same database as the events, in a table of their own. A DELETE does not wipe the
 * bytes at once: the dead row stays in its page until VACUUM, and in WAL and backups (see README).
 */
export class PostgresDataKeyStore implements DataKeyStore {
  private readonly pool: pg.Pool;
  private readonly migrated: () => Promise<void>;

  constructor(connectionString: string) {
    this.pool = openPool(connectionString);
    this.migrated = migratedOnce(this.pool);
  }

  async find(subjectId: string): Promise<StoredDataKey | null> {
    return this.run('find a data key', async () => this.findWith(this.pool, subjectId));
  }

  async create(subjectId: string, wrappedKey: string): Promise<StoredDataKey> {
    const stored = await this.run('create a data key', () =>
      this.lockedFor(subjectId, async (client) => {
        await client.query({
          name: 'sf-create-key',
          text: `INSERT INTO data_keys (subject_id, wrapped_key)
                 SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM erased_subjects WHERE subject_id = $1)
                 ON CONFLICT (subject_id) DO NOTHING`,
          values: [subjectId, wrappedKey],
        });
        return this.findWith(client, subjectId);
      }),
    );
    if (stored === null) throw new Error(`The data key of ${subjectId} was not stored.`);
    return stored;
  }

  async replace(subjectId: string, expectedWrappedKey: string, newWrappedKey: string): Promise<boolean> {
    const result = await this.run('replace a data key', () =>
      this.pool.query({
        name: 'sf-replace-key',
        text: 'UPDATE data_keys SET wrapped_key = $3 WHERE subject_id = $1 AND wrapped_key = $2',
        values: [subjectId, expectedWrappedKey, newWrappedKey],
      }),
    );
    return (result.rowCount ?? 0) > 0;
  }

  async erase(subjectId: string, erasedAt: string): Promise<boolean> {
    return this.run('erase a data key', () =>
      this.lockedFor(subjectId, async (client) => {
        const deleted = await client.query({
          name: 'sf-delete-key',
          text: 'DELETE FROM data_keys WHERE subject_id = $1',
          values: [subjectId],
        });
        await client.query({
          name: 'sf-tombstone',
          text: 'INSERT INTO erased_subjects (subject_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          values: [subjectId, erasedAt],
        });
        return (deleted.rowCount ?? 0) > 0;
      }),
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Under READ COMMITTED a creation and an erasure could each decide before seeing the other's write. */
  private lockedFor<T>(subjectId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await client.query({
        name: 'sf-lock-subject',
        text: 'SELECT pg_advisory_xact_lock($1, hashtext($2))',
        values: [subjectLockSpace, subjectId],
      });
      return work(client);
    });
  }

  private async findWith(client: pg.Pool | pg.PoolClient, subjectId: string): Promise<StoredDataKey | null> {
    const { rows } = await client.query<{ erased_at: string | null; wrapped_key: string | null }>({
      name: 'sf-find-key',
      text: `SELECT (SELECT erased_at FROM erased_subjects WHERE subject_id = $1) AS erased_at,
                    (SELECT wrapped_key FROM data_keys WHERE subject_id = $1) AS wrapped_key`,
      values: [subjectId],
    });
    const row = rows[0];
    if (row?.erased_at != null) return { state: 'erased', erasedAt: row.erased_at };
    return row?.wrapped_key == null ? null : { state: 'active', wrappedKey: row.wrapped_key };
  }

  private async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      await this.migrated();
      return await work();
    } catch (error) {
      throw unavailable(what, error);
    }
  }
}
