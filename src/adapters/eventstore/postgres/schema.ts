import type { PoolClient } from 'pg';

/**
 * Each step runs once, in order, in the transaction that records it. Never edit a released step:
 * add the next one.
 */
const migrations: readonly string[] = [
  `CREATE TABLE events (
     position  bigint  PRIMARY KEY,
     stream_id text    NOT NULL,
     revision  integer NOT NULL,
     type      text    NOT NULL,
     data      json    NOT NULL,
     metadata  json    NOT NULL,
     UNIQUE (stream_id, revision)
   );
   -- The one row every append locks and advances: positions are handed out in commit order.
   CREATE TABLE all_head (
     only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
     position bigint  NOT NULL
   );
   INSERT INTO all_head (position) VALUES (0);
   CREATE TABLE store_identity (
     only_row   boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
     store_id   uuid        NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   );
   INSERT INTO store_identity (store_id) VALUES (gen_random_uuid());
   CREATE TABLE snapshots (
     stream_id      text    PRIMARY KEY,
     revision       integer NOT NULL,
     schema_version integer NOT NULL,
     state          json    NOT NULL
   );
   CREATE TABLE data_keys (subject_id text PRIMARY KEY, wrapped_key text NOT NULL);
   CREATE TABLE erased_subjects (subject_id text PRIMARY KEY, erased_at text NOT NULL);`,
];

/** Any constant both stores agree on: instances starting at once take turns migrating. */
const migrationLock = 0x5ecf_ac70;

/**
 * Brings the database to the newest schema, inside the caller's transaction; refuses a schema written
 * by a newer version of the service. The advisory lock makes instances that start at once take turns.
 */
export const migrate = async (client: PoolClient): Promise<void> => {
  await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const { rows } = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  const current = rows[0]?.version ?? 0;
  if (current > migrations.length)
    throw new Error(
      `The PostgreSQL schema has version ${current}; this service knows up to ${migrations.length}.`,
    );
  for (let version = current + 1; version <= migrations.length; version += 1) {
    await client.query(migrations[version - 1] as string);
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
  }
};
