import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  type EventStore,
  type RecordedEvent,
  type StreamSnapshot,
} from '../../src/application/ports/event-store.ts';
import { anEvent, uniqueStream } from '../support/events.ts';

export type StoreUnderTest = { store: EventStore; dispose?: () => Promise<void> };

const collectUntil = async (
  store: EventStore,
  after: number,
  done: (seen: RecordedEvent[]) => boolean,
  whileRunning: () => Promise<void> = async () => {},
): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const subscription = store.subscribeToAll(after, (event) => {
    seen.push(event);
    if (done(seen)) finish();
  });
  await whileRunning();
  await Promise.race([
    finished,
    new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 15_000)),
  ]);
  await subscription.stop();
  return seen;
};

/**
 * The behaviour every EventStore adapter must show. Tests share one store but use their own streams,
 * and compare positions relative to the head they started from, so an adapter with old data passes too.
 */
export const eventStoreContract = (name: string, open: () => Promise<StoreUnderTest>): void => {
  describe(`EventStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: EventStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.store.close();
      await subject?.dispose?.();
    });

    it('has one store id, the same from concurrent first calls and every call after', async () => {
      const ids = await Promise.all([store.storeId(), store.storeId(), store.storeId()]);
      expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set([...ids, await store.storeId()])).toEqual(new Set([ids[0]]));
    });

    it('reads a stream that does not exist as empty', async () => {
      expect(await store.readStream(uniqueStream('missing'))).toEqual([]);
    });

    it('creates a stream with no-stream and numbers revisions from 0', async () => {
      const stream = uniqueStream();
      const result = await store.append(stream, [anEvent({ n: 0 }), anEvent({ n: 1 })], 'no-stream');
      expect(result.revision).toBe(1);
      const events = await store.readStream(stream);
      expect(events.map((event) => [event.revision, event.data])).toEqual([
        [0, { n: 0 }],
        [1, { n: 1 }],
      ]);
      expect(result.position).toBe(events[1]?.position);
    });

    it('rejects no-stream for an existing stream, naming stream, expected and actual revision', async () => {
      const stream = uniqueStream();
      await store.append(stream, [anEvent()], 'no-stream');
      const error = await store.append(stream, [anEvent()], 'no-stream').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: stream, expected: 'no-stream', actual: 0 });
    });

    it('appends at the exact revision and rejects a stale one', async () => {
      const stream = uniqueStream();
      await store.append(stream, [anEvent()], 'no-stream');
      expect((await store.append(stream, [anEvent()], 0)).revision).toBe(1);
      const error = await store.append(stream, [anEvent()], 0).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ConcurrencyError', streamId: stream, expected: 0, actual: 1 });
      const missing = await store.append(uniqueStream(), [anEvent()], 3).catch((caught: unknown) => caught);
      expect(missing).toMatchObject({ name: 'ConcurrencyError', expected: 3, actual: 'no-stream' });
    });

    it('appends with any whatever the revision', async () => {
      const stream = uniqueStream();
      await store.append(stream, [anEvent()], 'any');
      expect((await store.append(stream, [anEvent()], 'any')).revision).toBe(1);
    });

    it('lets exactly one of two appends at the same revision win, 100 times out of 100', async () => {
      for (let race = 0; race < 100; race += 1) {
        const stream = uniqueStream('race');
        await store.append(stream, [anEvent()], 'no-stream');
        const outcomes = await Promise.allSettled([
          store.append(stream, [anEvent({ writer: 'a' })], 0),
          store.append(stream, [anEvent({ writer: 'b' })], 0),
        ]);
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        const loser = outcomes.find((outcome) => outcome.status === 'rejected');
        expect(loser?.status === 'rejected' && loser.reason).toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(stream)).toHaveLength(2);
      }
    });

    it('keeps order within a stream and across all streams', async () => {
      const head = await store.headPosition();
      const [first, second] = [uniqueStream('order'), uniqueStream('order')];
      for (let n = 0; n < 10; n += 1)
        await store.append(n % 2 === 0 ? first : second, [anEvent({ n })], 'any');
      const all = (await store.readAll(head, 1000)).filter(
        (e) => e.streamId === first || e.streamId === second,
      );
      expect(all.map((event) => event.data)).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
      const positions = all.map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(10);
      expect((await store.readStream(first)).map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
    });

    it('pages through all events after a position', async () => {
      const head = await store.headPosition();
      const stream = uniqueStream('paging');
      await store.append(
        stream,
        Array.from({ length: 7 }, (_, n) => anEvent({ n })),
        'no-stream',
      );
      const pages: RecordedEvent[][] = [];
      let after = head;
      for (;;) {
        const page = await store.readAll(after, 3);
        if (page.length === 0) break;
        pages.push(page);
        after = page.at(-1)?.position ?? after;
      }
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(await store.headPosition()).toBe(after);
    });

    it('round-trips metadata and unicode exactly', async () => {
      const stream = uniqueStream('unicode');
      const event = anEvent({
        name: 'Kantoor Zürich — 東京 🚀',
        empty: '',
        nested: { list: [1, 'ß', null] },
      });
      event.metadata.clientIp = '2001:db8::1';
      event.metadata.userAgent = 'Mozilla/5.0 (X11; Linux) «test»';
      await store.append(stream, [event], 'no-stream');
      const [read] = await store.readStream(stream);
      expect(read?.type).toBe(event.type);
      expect(read?.data).toEqual(event.data);
      expect(read?.metadata).toEqual(event.metadata);
      const { position } = (await store.readStream(stream))[0] ?? { position: 0 };
      const [fromAll] = await store.readAll(position - 1, 1);
      expect(fromAll?.metadata).toEqual(event.metadata);
      expect({ ...fromAll }.metadata).toEqual(event.metadata);
    });

    it('stores a 64 KiB payload intact', async () => {
      const stream = uniqueStream('large');
      const blob = 'x'.repeat(64 * 1024 - 100) + 'é'.repeat(40);
      await store.append(stream, [anEvent({ blob })], 'no-stream');
      const [read] = await store.readStream(stream);
      expect(read?.data).toEqual({ blob });
    });

    it('reads a stream after a revision: from the start, the middle, the last, beyond, and a missing stream', async () => {
      const stream = uniqueStream('after');
      await store.append(
        stream,
        Array.from({ length: 5 }, (_, n) => anEvent({ n })),
        'no-stream',
      );
      const readAfter = async (revision: number, name = stream) =>
        (await store.readStreamAfter(name, revision)).map((event) => [event.revision, event.data]);
      expect(await readAfter(-1)).toEqual([0, 1, 2, 3, 4].map((n) => [n, { n }]));
      expect(await readAfter(2)).toEqual([
        [3, { n: 3 }],
        [4, { n: 4 }],
      ]);
      expect(await readAfter(4)).toEqual([]);
      expect(await readAfter(40)).toEqual([]);
      expect(await readAfter(-1, uniqueStream('missing'))).toEqual([]);
      const [tail] = await store.readStreamAfter(stream, 3);
      const [full] = (await store.readStream(stream)).slice(4);
      expect(tail).toEqual(full);
    });

    it('has no snapshot for a stream until one is written, then reads it back exactly', async () => {
      const stream = uniqueStream('snapshot');
      expect(await store.readSnapshot(stream)).toBeNull();
      const snapshot: StreamSnapshot = {
        streamId: stream,
        revision: 41,
        schemaVersion: 3,
        state: { count: 42, last: null, nested: { list: [1, 'two', false] }, empty: '' },
      };
      await store.writeSnapshot(snapshot);
      expect(await store.readSnapshot(stream)).toEqual(snapshot);
      expect(await store.readSnapshot(uniqueStream('snapshot'))).toBeNull();
    });

    it('keeps the snapshot of the latest revision: a newer one replaces it, an older or equal one does not', async () => {
      const stream = uniqueStream('snapshot');
      const at = (revision: number, schemaVersion = 1): StreamSnapshot => ({
        streamId: stream,
        revision,
        schemaVersion,
        state: { revision },
      });
      await store.writeSnapshot(at(10));
      await store.writeSnapshot(at(20, 2));
      expect(await store.readSnapshot(stream)).toEqual(at(20, 2));
      await store.writeSnapshot(at(15));
      await store.writeSnapshot(at(20, 1));
      expect(await store.readSnapshot(stream)).toEqual(at(20, 2));
      await Promise.all([25, 30, 27].map((revision) => store.writeSnapshot(at(revision))));
      expect(await store.readSnapshot(stream)).toEqual(at(30));
    });

    it('reads from a snapshot: the whole stream without one, else the snapshot and the events from its revision on', async () => {
      const stream = uniqueStream('from-snapshot');
      expect(await store.readFromSnapshot(stream)).toEqual({ snapshot: null, events: [] });
      await store.append(
        stream,
        [0, 1, 2, 3, 4].map((n) => anEvent({ n })),
        'no-stream',
      );
      const all = await store.readStream(stream);
      expect(await store.readFromSnapshot(stream)).toEqual({ snapshot: null, events: all });

      const snapshot: StreamSnapshot = { streamId: stream, revision: 2, schemaVersion: 7, state: { n: 2 } };
      await store.writeSnapshot(snapshot);
      const read = await store.readFromSnapshot(stream);
      expect(read.snapshot).toEqual(snapshot);
      expect(read.events).toEqual(all.slice(2));

      await store.append(stream, [anEvent({ n: 5 })], 4);
      expect((await store.readFromSnapshot(stream)).events.map((event) => event.revision)).toEqual([
        2, 3, 4, 5,
      ]);
    });

    it('reads from a snapshot of the last event as that event alone, and from one past the end as no events', async () => {
      const stream = uniqueStream('from-snapshot');
      await store.append(stream, [anEvent({ n: 0 }), anEvent({ n: 1 })], 'no-stream');
      await store.writeSnapshot({ streamId: stream, revision: 1, schemaVersion: 1, state: {} });
      expect((await store.readFromSnapshot(stream)).events).toEqual(
        (await store.readStream(stream)).slice(1),
      );

      // A snapshot ahead of its stream (the store restored from an older backup) comes with no events.
      const ahead = uniqueStream('from-snapshot');
      await store.append(ahead, [anEvent({ n: 0 })], 'no-stream');
      await store.writeSnapshot({ streamId: ahead, revision: 9, schemaVersion: 1, state: { n: 9 } });
      expect(await store.readFromSnapshot(ahead)).toEqual({
        snapshot: { streamId: ahead, revision: 9, schemaVersion: 1, state: { n: 9 } },
        events: [],
      });
    });

    it('keeps a snapshot with unicode and a 64 KiB state intact, apart from the events', async () => {
      const stream = uniqueStream('snapshot');
      await store.append(stream, [anEvent({ n: 0 })], 'no-stream');
      const state = {
        name: 'Kantoor Zürich — 東京 🚀',
        blob: 'x'.repeat(64 * 1024 - 100) + 'é'.repeat(40),
        codes: Array.from({ length: 10 }, (_, n) => `hash-${n}`),
      };
      const head = await store.headPosition();
      await store.writeSnapshot({ streamId: stream, revision: 0, schemaVersion: 1, state });
      expect((await store.readSnapshot(stream))?.state).toEqual(state);
      expect(await store.readStream(stream)).toHaveLength(1);
      expect(await store.readAll(head, 10)).toEqual([]);
      expect(await store.headPosition()).toBe(head);
    });

    it('subscribes with catch-up then live, and resumes from a saved position with no gap or duplicate', async () => {
      const stream = uniqueStream('live');
      const head = await store.headPosition();
      await store.append(stream, [anEvent({ n: 0 }), anEvent({ n: 1 })], 'no-stream');
      const ours = (events: RecordedEvent[]) => events.filter((event) => event.streamId === stream);

      const firstRun = await collectUntil(
        store,
        head,
        (seen) => ours(seen).length === 4,
        async () => {
          await store.append(stream, [anEvent({ n: 2 })], 1);
          await store.append(stream, [anEvent({ n: 3 })], 2);
        },
      );
      expect(ours(firstRun).map((event) => event.data)).toEqual([0, 1, 2, 3].map((n) => ({ n })));

      const saved = ours(firstRun)[1]?.position ?? 0;
      const resumed = await collectUntil(
        store,
        saved,
        (seen) => ours(seen).length === 3,
        async () => {
          await store.append(stream, [anEvent({ n: 4 })], 3);
        },
      );
      expect(ours(resumed).map((event) => event.data)).toEqual([2, 3, 4].map((n) => ({ n })));
    });

    it('delivers live events exactly as $all reads them, also from appends committed together', async () => {
      const run = uniqueStream('as-read');
      const head = await store.headPosition();
      const plain = ({ streamId, revision, position, type, data, metadata }: RecordedEvent) => ({
        streamId,
        revision,
        position,
        type,
        data,
        metadata,
      });
      const live = await collectUntil(
        store,
        head,
        (seen) => seen.filter((event) => event.streamId.startsWith(run)).length === 7,
        async () => {
          await store.append(`${run}-a`, [anEvent({ n: 0 }), anEvent({ n: 1 })], 'no-stream');
          await Promise.all([
            store.append(`${run}-a`, [anEvent({ n: 2 })], 1),
            store.append(`${run}-b`, [anEvent({ n: 3 }), anEvent({ n: 4 }, 'UserRoleChanged')], 'no-stream'),
            store.append(`${run}-a`, [anEvent({ n: 99 })], 0).catch(() => null),
            store.append(`${run}-c`, [anEvent({ n: 5 }), anEvent({ n: 6 })], 'no-stream'),
          ]);
        },
      );
      const read = (await store.readAll(head, 100)).filter((event) => event.streamId.startsWith(run));
      expect(read).toHaveLength(7);
      expect(live.filter((event) => event.streamId.startsWith(run)).map(plain)).toEqual(read.map(plain));
    });

    it('keeps all 4,000 appends of 8 concurrent writers, each exactly once', async () => {
      const run = uniqueStream('writers');
      const head = await store.headPosition();
      await Promise.all(
        Array.from({ length: 8 }, async (_, writer) => {
          const stream = `${run}-${writer}`;
          for (let n = 0; n < 500; n += 1)
            await store.append(stream, [anEvent({ writer, n })], n === 0 ? 'no-stream' : n - 1);
        }),
      );
      const seen = new Set<string>();
      let after = head;
      for (;;) {
        const page = await store.readAll(after, 1000);
        if (page.length === 0) break;
        for (const event of page) {
          if (!event.streamId.startsWith(run)) continue;
          const { writer, n } = event.data as { writer: number; n: number };
          const key = `${writer}:${n}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
        after = page.at(-1)?.position ?? after;
      }
      expect(seen.size).toBe(4000);
    }, 120_000);
  });
};
