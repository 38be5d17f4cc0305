import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { chainEvents } from '../../src/application/audit-chain/hash-chain.ts';
import { verifyChains, verifyStream } from '../../src/application/audit-chain/verify-chain.ts';
import { ConcurrencyError, type EventStore } from '../../src/application/ports/event-store.ts';
import { anEvent } from '../support/events.ts';

const appendChained = async (store: EventStore, streamId: string, count: number) => {
  for (let n = 0; n < count; n += 1) {
    const stream = await store.readStream(streamId);
    const last = stream.at(-1);
    await store.append(
      streamId,
      chainEvents(streamId, last, [anEvent({ n })]),
      last?.revision ?? 'no-stream',
    );
  }
};

describe('tamper-evident event history (hash chain)', () => {
  let dir: string;
  let path: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'second-factor-chain-'));
    path = join(dir, 'events.sqlite');
    store = new SqliteEventStore(path);
    await appendChained(store, 'user-a', 5);
    await appendChained(store, 'user-b', 5);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Edits the file behind the service's back, as someone with database access could. */
  const tamper = async (sql: string) => {
    await store.close();
    const db = new DatabaseSync(path);
    db.exec(sql);
    db.close();
    store = new SqliteEventStore(path);
  };

  it('verifies an untouched history as intact', async () => {
    expect(await verifyChains(store)).toEqual({ eventsChecked: 10, streamsChecked: 2, broken: [] });
    expect((await verifyStream(store, 'user-a')).broken).toEqual([]);
  });

  it('detects an event whose data was edited in the database', async () => {
    await tamper(`UPDATE events SET data = '{"n":99}' WHERE stream_id = 'user-a' AND revision = 2`);
    expect((await verifyChains(store)).broken).toEqual([
      expect.objectContaining({ streamId: 'user-a', revision: 2, reason: 'content-changed' }),
    ]);
    expect((await verifyStream(store, 'user-a')).broken[0]).toMatchObject({ revision: 2 });
  });

  it('detects edited metadata (an actor rewritten)', async () => {
    await tamper(
      `UPDATE events SET metadata = json_set(metadata, '$.actor.id', 'someone-else') WHERE stream_id = 'user-b' AND revision = 0`,
    );
    expect((await verifyChains(store)).broken).toEqual([
      expect.objectContaining({ streamId: 'user-b', revision: 0, reason: 'content-changed' }),
    ]);
  });

  it('detects a deleted event', async () => {
    await tamper(`DELETE FROM events WHERE stream_id = 'user-a' AND revision = 1`);
    expect((await verifyChains(store)).broken).toEqual([
      expect.objectContaining({ streamId: 'user-a', revision: 2, reason: 'revision-gap' }),
    ]);
  });

  it('detects two events swapped within a stream', async () => {
    await tamper(`
      UPDATE events SET revision = -1 WHERE stream_id = 'user-a' AND revision = 3;
      UPDATE events SET revision = 3 WHERE stream_id = 'user-a' AND revision = 4;
      UPDATE events SET revision = 4 WHERE stream_id = 'user-a' AND revision = -1;`);
    const broken = (await verifyChains(store)).broken;
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ streamId: 'user-a' });
  });

  it('detects an event inserted with a made-up hash', async () => {
    const [first] = await store.readStream('user-b');
    const forged = JSON.stringify({
      ...first?.metadata,
      hash: 'f'.repeat(64),
      previousHash: first?.metadata.hash,
    });
    await tamper(
      `INSERT INTO events (stream_id, revision, type, data, metadata) VALUES ('user-b', 5, 'OfficeRegistered', '{"n":5}', '${forged}')`,
    );
    expect((await verifyChains(store)).broken).toEqual([
      expect.objectContaining({ streamId: 'user-b', revision: 5, reason: 'link-broken' }),
    ]);
  });

  it('links each append to the revision it expects, so a racing append cannot fork the chain', async () => {
    const stream = await store.readStream('user-a');
    const last = stream.at(-1);
    const [one, two] = await Promise.allSettled([
      store.append(
        'user-a',
        chainEvents('user-a', last, [anEvent({ racer: 1 })]),
        last?.revision ?? 'no-stream',
      ),
      store.append(
        'user-a',
        chainEvents('user-a', last, [anEvent({ racer: 2 })]),
        last?.revision ?? 'no-stream',
      ),
    ]);
    const rejected = [one, two].filter((outcome) => outcome.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.status === 'rejected' && rejected[0].reason).toBeInstanceOf(ConcurrencyError);
    expect((await verifyChains(store)).broken).toEqual([]);
  });
});
