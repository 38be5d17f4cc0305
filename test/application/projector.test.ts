import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import type { EventStore, RecordedEvent } from '../../src/application/ports/event-store.ts';
import { type CaughtUp, Projector } from '../../src/application/projector.ts';
import { appendStory } from '../support/story-events.ts';

const silent = { info: () => {}, error: () => {} };

describe('Projector', () => {
  it('stops when stop() comes while its last catch-up read is still running, and never subscribes', async () => {
    const store = new MemoryEventStore();
    let releaseRead: (page: RecordedEvent[]) => void = () => {};
    let readStarted: () => void = () => {};
    const reading = new Promise<void>((resolve) => (readStarted = resolve));
    let subscriptions = 0;
    const events: Pick<EventStore, 'subscribeToAll' | 'readAll' | 'storeId' | 'headPosition'> = {
      storeId: () => store.storeId(),
      headPosition: () => store.headPosition(),
      readAll: () => {
        readStarted();
        return new Promise((resolve) => (releaseRead = resolve));
      },
      subscribeToAll: (after, handler) => {
        subscriptions += 1;
        return store.subscribeToAll(after, handler);
      },
    };
    const projector = new Projector(events, new MemoryReadModels(), silent);
    projector.start();
    await reading;
    const stopped = projector.stop().then(() => 'stopped');
    releaseRead([]);
    const hung = new Promise((resolve) => setTimeout(() => resolve('still running after 2 s'), 2_000));
    expect(await Promise.race([stopped, hung])).toBe('stopped');
    expect(subscriptions).toBe(0);
    expect(projector.status().running).toBe(false);
  });

  it('tells how many events each catch-up projected: a build of everything first, then the pages after a restart', async () => {
    const store = new MemoryEventStore();
    const readModels = new MemoryReadModels();
    /** Runs a projector until its first catch-up ends; what it said then. */
    const catchUp = async (): Promise<CaughtUp> => {
      let said: (caughtUp: CaughtUp) => void = () => {};
      const caughtUp = new Promise<CaughtUp>((resolve) => (said = resolve));
      const projector = new Projector(store, readModels, silent, { onCaughtUp: (c) => said(c) });
      projector.start();
      const answer = await caughtUp;
      await projector.stop();
      return answer;
    };
    await appendStory(store, 3, 4);
    const built = await store.headPosition();
    expect(await catchUp()).toEqual({ events: built });

    await appendStory(store, 1, 2);
    expect(await catchUp()).toEqual({ events: (await store.headPosition()) - built });
  });
});
