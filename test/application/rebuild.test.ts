import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import type { RecordedEvent } from '../../src/application/ports/event-store.ts';
import type { ReadModelsBuild } from '../../src/application/ports/read-models.ts';
import { completeBuild } from '../../src/application/projections/rebuild.ts';
import { appendStory } from '../support/story-events.ts';

/** A build that records each batch it was given (and the position before it) and applies it. */
const recording = (inner: ReadModelsBuild) => {
  const batches: { previous: number; positions: number[] }[] = [];
  const build: ReadModelsBuild = {
    checkpoint: () => inner.checkpoint(),
    origin: () => inner.origin(),
    promote: () => inner.promote(),
    apply: (event, previous) => inner.apply(event, previous),
    applyBatch: async (events: RecordedEvent[], previous: number) => {
      batches.push({ previous, positions: events.map((event) => event.position) });
      return inner.applyBatch(events, previous);
    },
  };
  return { build, batches };
};

const startBuild = async (store: MemoryEventStore, readModels: MemoryReadModels) =>
  recording(await readModels.startBuild(await store.storeId(), await store.headPosition()));

describe('completeBuild (the rebuild)', () => {
  it('applies every event up to the target in pages, each after the one before, reading ahead', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 3, 4);
    const head = await store.headPosition();
    const readModels = new MemoryReadModels();
    const { build, batches } = await startBuild(store, readModels);
    const outcome = await completeBuild(store, build, { pageSize: 7 });
    expect(outcome).toEqual({ applied: head, total: head, position: head, promoted: true });
    expect(batches.flatMap((batch) => batch.positions)).toEqual(
      Array.from({ length: head }, (_, i) => i + 1),
    );
    expect(batches.map((batch) => batch.previous)).toEqual([
      0,
      ...batches.slice(0, -1).map((b) => b.positions.at(-1)),
    ]);
    expect(batches.every((batch) => batch.positions.length <= 7)).toBe(true);
    expect(await readModels.checkpoint()).toBe(head);
    expect(await readModels.loginByUserId('user-2-3')).not.toBeNull();
  });

  it('leaves events appended after the start to the live projector', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 1, 3);
    const head = await store.headPosition();
    const { build, batches } = await startBuild(store, new MemoryReadModels());
    let appended = false;
    const outcome = await completeBuild(store, build, {
      pageSize: 2,
      onProgress: () => {
        if (appended) return;
        appended = true;
        void appendStory(store, 1, 1);
      },
    });
    expect(appended).toBe(true);
    expect(outcome.position).toBe(head);
    expect(Math.max(...batches.flatMap((batch) => batch.positions))).toBe(head);
  });

  it('hands the build the next batch while the one before is being applied, never more than two', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 3, 4);
    const head = await store.headPosition();
    const readModels = new MemoryReadModels();
    const { build } = await startBuild(store, readModels);
    let inFlight = 0;
    let mostInFlight = 0;
    let turn = Promise.resolve();
    const slow: ReadModelsBuild = {
      ...build,
      applyBatch: (events, previous) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        const applying = turn
          .then(() => new Promise((resolve) => setTimeout(resolve, 2)))
          .then(() => build.applyBatch(events, previous))
          .finally(() => {
            inFlight -= 1;
          });
        turn = applying.then(() => {});
        return applying;
      },
    };
    const outcome = await completeBuild(store, slow, { pageSize: 5 });
    expect(outcome).toEqual({ applied: head, total: head, position: head, promoted: true });
    expect(mostInFlight).toBe(2);
  });

  it('goes on from the build’s own checkpoint when another projector applied its batches first', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 3, 4);
    const head = await store.headPosition();
    const readModels = new MemoryReadModels();
    const { build, batches } = await startBuild(store, readModels);
    let overtaken = false;
    const overtakenOnce: ReadModelsBuild = {
      ...build,
      applyBatch: async (events, previous) => {
        if (!overtaken) {
          overtaken = true;
          expect(await build.applyBatch(await store.readAll(0, 12), 0)).toBe('applied');
        }
        return build.applyBatch(events, previous);
      },
    };
    const outcome = await completeBuild(store, overtakenOnce, { pageSize: 5 });
    expect(outcome).toMatchObject({ total: head, position: head, promoted: true });
    // Batches 1–5 and 6–10 were in flight, refused as already applied; the build goes on after 12.
    expect(outcome.applied).toBe(head - 12);
    expect(batches.slice(1, 4)).toEqual([
      { previous: 0, positions: [1, 2, 3, 4, 5] },
      { previous: 5, positions: [6, 7, 8, 9, 10] },
      { previous: 12, positions: [13, 14, 15, 16, 17] },
    ]);
    expect(await readModels.loginByUserId('user-2-3')).not.toBeNull();
  });

  it('is not promoted when the build does not take a batch', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 1, 2);
    const readModels = new MemoryReadModels();
    const { build } = await startBuild(store, readModels);
    const outcome = await completeBuild(
      store,
      { ...build, applyBatch: async () => 'behind' },
      { pageSize: 2 },
    );
    expect(outcome.promoted).toBe(false);
    expect(outcome.position).toBe(0);
    expect((await readModels.origin())?.serving ?? false).toBe(false);
  });
});
