import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, vi } from 'vitest';
import { SqliteEventStore } from '../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import type { RecordedEvent } from '../../../src/application/ports/event-store.ts';
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

describe('SQLite live subscription', () => {
  const collect = (store: SqliteEventStore, after: number, count: number) => {
    const seen: RecordedEvent[] = [];
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const subscription = store.subscribeToAll(after, (event) => {
      seen.push(event);
      if (seen.length === count) finish();
    });
    return { seen, finished, subscription };
  };

  it("gets this process's appends handed on, not read back from the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-live-'));
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      const readAll = vi.spyOn(store, 'readAll');
      const live = collect(store, 0, 20);
      await vi.waitFor(() => expect(readAll).toHaveBeenCalled());
      for (let n = 0; n < 20; n += 1)
        await store.append('live', [anEvent({ n })], n === 0 ? 'no-stream' : n - 1);
      await live.finished;
      await live.subscription.stop();
      expect(live.seen.map((event) => event.data)).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
      const readBack = await Promise.all(readAll.mock.results.map((result) => result.value));
      // A poll may happen to run between a commit and its hand-on; a read per append would be 20.
      expect(readBack.flat().length).toBeLessThanOrEqual(2);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("still gets another process's appends, in order, when they come between its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-live-'));
    const ours = new SqliteEventStore(join(dir, 'events.sqlite'));
    const theirs = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      const live = collect(ours, 0, 6);
      for (let n = 0; n < 6; n += 1)
        await (n % 2 === 0 ? ours : theirs).append(`s${n}`, [anEvent({ n })], 'no-stream');
      await live.finished;
      await live.subscription.stop();
      expect(live.seen.map((event) => event.data)).toEqual(Array.from({ length: 6 }, (_, n) => ({ n })));
      expect(live.seen.map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await ours.close();
      await theirs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
