import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

/** The store's id, made by whichever process asks first; one row that is never changed afterwards. */
export const readOrCreateStoreId = (db: DatabaseSync): string => {
  db.exec(`CREATE TABLE IF NOT EXISTS store_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    store_id  TEXT NOT NULL
  )`);
  db.prepare('INSERT OR IGNORE INTO store_identity (singleton, store_id) VALUES (1, ?)').run(randomUUID());
  return (db.prepare('SELECT store_id FROM store_identity').get() as { store_id: string }).store_id;
};
