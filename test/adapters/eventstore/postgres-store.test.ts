import { describe, expect, it } from 'vitest';
import { PostgresDataKeyStore } from '../../../src/adapters/eventstore/postgres/postgres-data-key-store.ts';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import {
  EventStoreUnavailableError,
  type RecordedEvent,
} from '../../../src/application/ports/event-store.ts';
import { anEvent, uniqueStream } from '../../support/events.ts';
import {
  noPostgresReason,
  postgresAnswers,
  privateDatabase,
  privateStores,
  sql,
} from '../../support/postgres.ts';
import { freePort } from '../../support/service-process.ts';

if (!postgresAnswers) console.warn(`PostgreSQL store tests ${noPostgresReason}`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!postgresAnswers)('PostgreSQL event store beyond the contract', () => {
  const { open, url } = privateStores('store');

  it('creates the schema once when eight instances start on an empty database at the same moment', async () => {
    const starting = Array.from({ length: 8 }, () => open());
    const ids = await Promise.all(starting.map((store) => store.storeId()));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const versions = await sql<{ version: number }>(url(), 'SELECT version FROM schema_migrations');
    expect(versions).toEqual([{ version: 1 }]);
    await Promise.all(starting.map((store) => store.headPosition()));
    expect(await open().storeId()).toBe(ids[0]);
  });

  it('refuses a schema written by a newer version of the service, saying so', async () => {
    const newer = await privateDatabase('newer');
    const store = new PostgresEventStore(newer.url);
    try {
      await store.headPosition();
      await sql(newer.url, 'INSERT INTO schema_migrations (version) VALUES (99)');
      const later = new PostgresEventStore(newer.url);
      const error = await later.headPosition().catch((caught: unknown) => caught);
      await later.close();
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toContain('schema has version 99; this service knows up to 1');
    } finally {
      await store.close();
      await newer.drop();
    }
  });

  it('reads a stream after a revision, and keeps only the snapshot that covers the later revision', async () => {
    const store = open();
    const stream = uniqueStream('snap');
    await store.append(
      stream,
      [0, 1, 2, 3].map((n) => anEvent({ n })),
      'no-stream',
    );
    expect((await store.readStreamAfter(stream, 1)).map((event) => event.data)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(await store.readStreamAfter(stream, 3)).toEqual([]);

    expect(await store.readSnapshot(stream)).toBeNull();
    await store.writeSnapshot({ streamId: stream, revision: 2, schemaVersion: 1, state: { seen: 3 } });
    await store.writeSnapshot({ streamId: stream, revision: 1, schemaVersion: 1, state: { seen: 2 } });
    expect(await store.readSnapshot(stream)).toEqual({
      streamId: stream,
      revision: 2,
      schemaVersion: 1,
      state: { seen: 3 },
    });
    await store.writeSnapshot({ streamId: stream, revision: 3, schemaVersion: 2, state: { seen: 4 } });
    expect(await open().readSnapshot(stream)).toMatchObject({
      revision: 3,
      schemaVersion: 2,
      state: { seen: 4 },
    });
  });

  it('refuses only the append the server rejects when it is committed together with others', async () => {
    const store = open();
    const head = await store.headPosition();
    const [before, after] = [uniqueStream('kept'), uniqueStream('kept')];
    // Made in one tick, so they share one transaction; a NUL byte is not valid in a PostgreSQL text.
    const outcomes = await Promise.allSettled([
      store.append(before, [anEvent({ n: 0 })], 'no-stream'),
      store.append('bad\u0000stream', [anEvent({ n: 1 })], 'no-stream'),
      store.append(before, [anEvent({ n: 2 })], 'no-stream'),
      store.append(after, [anEvent({ n: 3 }), anEvent({ n: 4 })], 'no-stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes[1]).toMatchObject({ reason: { code: '22021' } });
    expect(outcomes[2]).toMatchObject({ reason: { name: 'ConcurrencyError', actual: 0 } });
    expect(outcomes[3]).toMatchObject({ value: { revision: 1, position: head + 3 } });
    const all = await store.readAll(head, 10);
    expect(all.map((event) => [event.position, event.data])).toEqual([
      [head + 1, { n: 0 }],
      [head + 2, { n: 3 }],
      [head + 3, { n: 4 }],
    ]);
    expect(await store.headPosition()).toBe(head + 3);
  });

  it('throws EventStoreUnavailableError, never hangs, when no server answers', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    const store = new PostgresEventStore(url);
    const keys = new PostgresDataKeyStore(url);
    try {
      for (const call of [
        () => store.append(uniqueStream(), [anEvent()], 'no-stream'),
        () => store.readAll(0, 10),
        () => store.headPosition(),
        () => store.storeId(),
        () => keys.find('person:x'),
      ])
        await expect(call()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
      await keys.close();
    }
  });

  it('recovers by itself when the server drops every connection, and a live follower hears of appends again', async () => {
    // A poll far longer than the test: only the LISTEN connection, re-established, can wake the follower.
    const follower = open({ pollMs: 60_000 });
    const writer = open();
    const stream = uniqueStream('dropped');
    await writer.append(stream, [anEvent({ n: 0 })], 'no-stream');
    const seen: RecordedEvent[] = [];
    const subscription = follower.subscribeToAll(0, (event) => void seen.push(event));
    for (let waited = 0; waited < 100 && !seen.some((e) => e.streamId === stream); waited++) await pause(20);

    await sql(
      url(),
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      const outcome = await writer.append(stream, [anEvent({ n: 1 })], 0).then(
        () => 'written',
        (error: unknown) => (error instanceof EventStoreUnavailableError ? 'unavailable' : String(error)),
      );
      outcomes.push(outcome);
      if (outcome === 'written') break;
      await pause(100);
    }
    expect(outcomes.at(-1)).toBe('written');
    expect(outcomes.filter((outcome) => outcome !== 'written' && outcome !== 'unavailable')).toEqual([]);
    for (let waited = 0; waited < 250 && seen.filter((e) => e.streamId === stream).length < 2; waited++)
      await pause(20);
    await subscription.stop();
    expect(seen.filter((event) => event.streamId === stream).map((event) => event.data)).toEqual([
      { n: 0 },
      { n: 1 },
    ]);
  });
});
