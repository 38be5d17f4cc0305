import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { eventStoreContract } from '../../contracts/event-store.contract.ts';

eventStoreContract('SQLite (node:sqlite, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-'));
  return {
    store: new SqliteEventStore(join(dir, 'events.sqlite')),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
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
