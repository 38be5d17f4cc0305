import type { DatabaseSync } from 'node:sqlite';

const currentSchemaVersion = 1;

/** Creates or checks the tables; refuses a file written by a newer version of the service. */
export const migrate = (db: DatabaseSync): void => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS events (
      position  INTEGER PRIMARY KEY AUTOINCREMENT,
      stream_id TEXT    NOT NULL,
      revision  INTEGER NOT NULL,
      type      TEXT    NOT NULL,
      data      TEXT    NOT NULL,
      metadata  TEXT    NOT NULL,
      UNIQUE (stream_id, revision)
    );
    -- A cache of each aggregate's folded state; adding it needs no new schema version: older services ignore it.
    CREATE TABLE IF NOT EXISTS snapshots (
      stream_id      TEXT    PRIMARY KEY,
      revision       INTEGER NOT NULL,
      schema_version INTEGER NOT NULL,
      state          TEXT    NOT NULL
    );
  `);
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  if (row === undefined)
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(currentSchemaVersion);
  else if (row.version > currentSchemaVersion) {
    throw new Error(
      `The event store file has schema version ${row.version}; this service knows up to ${currentSchemaVersion}.`,
    );
  }
};
