import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import type { RecordedEvent } from '../../src/application/ports/event-store.ts';
import type { ProjectionTarget } from '../../src/application/ports/read-models.ts';
import { projectFromScratch } from '../../src/application/projections/rebuild.ts';
import { appendStory } from '../support/story-events.ts';

/** A target that records each batch it was given (and the position before it) and applies it. */
const recording = (inner: MemoryReadModels) => {
  const batches: { previous: number; positions: number[] }[] = [];
  const target: ProjectionTarget = {
    checkpoint: () => inner.checkpoint(),
    apply: (event, previous) => inner.apply(event, previous),
    applyBatch: async (events: RecordedEvent[], previous: number) => {
      batches.push({ previous, positions: events.map((event) => event.position) });
      return inner.applyBatch(events, previous);
    },
  };
  return { target, batches };
};

describe('projectFromScratch (the rebuild)', () => {
  it('applies every event up to the head in pages, each after the one before, reading ahead', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 3, 4);
    const head = await store.headPosition();
    const readModels = new MemoryReadModels();
    const { target, batches } = recording(readModels);
    const outcome = await projectFromScratch(store, target, () => {}, 7);
    expect(outcome).toEqual({ applied: head, total: head, position: head });
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
    const { target, batches } = recording(new MemoryReadModels());
    let appended = false;
    const outcome = await projectFromScratch(
      store,
      target,
      async () => {
        if (appended) return;
        appended = true;
        await appendStory(store, 1, 1);
      },
      2,
    );
    expect(outcome.position).toBe(head);
    expect(Math.max(...batches.flatMap((batch) => batch.positions))).toBe(head);
  });

  it('stops with an error when the target does not take a batch', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 1, 2);
    const readModels = new MemoryReadModels();
    const target: ProjectionTarget = {
      checkpoint: () => readModels.checkpoint(),
      apply: (event, previous) => readModels.apply(event, previous),
      applyBatch: async () => 'behind',
    };
    await expect(projectFromScratch(store, target, () => {}, 2)).rejects.toThrow(/interrupted/);
  });
});
