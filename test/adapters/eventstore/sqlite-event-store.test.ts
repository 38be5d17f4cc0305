import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { eventStoreContract } from '../../contracts/event-store.contract.ts';
import { anEvent } from '../../support/events.ts';

eventStoreContract('SQLite (node:sqlite, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-'));
  return {
    store: new SqliteEventStore(join(dir, 'events.sqlite')),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite event store files from before snapshots', () => {
  it('gains the snapshots table on open and keeps its events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-'));
    const path = join(dir, 'events.sqlite');
    try {
      const old = new DatabaseSync(path);
      old.exec(`
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version (version) VALUES (1);
        CREATE TABLE events (
          position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
          type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, revision)
        );
      `);
      const event = anEvent({ n: 0 });
      old
        .prepare('INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, 0, ?, ?, ?)')
        .run('office-1', event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
      old.close();

      const store = new SqliteEventStore(path);
      const snapshot = { streamId: 'office-1', revision: 0, schemaVersion: 1, state: { n: 0 } };
      await store.writeSnapshot(snapshot);
      expect(await store.readSnapshot('office-1')).toEqual(snapshot);
      expect((await store.readStreamAfter('office-1', -1)).map((read) => read.data)).toEqual([{ n: 0 }]);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite store identity', () => {
  it('keeps its store id across reopening the file, and a new file gets another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-id-'));
    try {
      const first = new SqliteEventStore(join(dir, 'events.sqlite'));
      const id = await first.storeId();
      await first.close();
      const reopened = new SqliteEventStore(join(dir, 'events.sqlite'));
      expect(await reopened.storeId()).toBe(id);
      await reopened.close();
      const other = new SqliteEventStore(join(dir, 'other.sqlite'));
      expect(await other.storeId()).not.toBe(id);
      await other.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
