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

  it('does not take a checkpoint read before a batch was applied for lost data (the watchdog under load)', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 1, 2);
    /** Read models whose next origin read is answered only after the test let more batches land. */
    class SlowOrigin extends MemoryReadModels {
      held: { release: () => void; read: Promise<void> } | null = null;
      armed = false;
      override async origin() {
        const origin = await super.origin();
        if (!this.armed) return origin;
        this.armed = false;
        let release: () => void = () => {};
        const gate = new Promise<void>((resolve) => (release = resolve));
        let read: () => void = () => {};
        this.held = { release, read: new Promise<void>((resolve) => (read = resolve)) };
        read();
        await gate;
        return origin;
      }
      latest() {
        return super.origin();
      }
    }
    const readModels = new SlowOrigin();
    const errors: string[] = [];
    let following: () => void = () => {};
    const followingLive = new Promise<void>((resolve) => (following = resolve));
    const projector = new Projector(
      store,
      readModels,
      { info: () => {}, error: (_details, message) => errors.push(message) },
      { watchdogMs: 10, onCaughtUp: () => following() },
    );
    projector.start();
    await followingLive;
    readModels.armed = true;
    while (readModels.held === null) await new Promise((resolve) => setTimeout(resolve, 5));
    await readModels.held.read;
    // While that read is held, more events are applied: the checkpoint it read is now behind.
    await appendStory(store, 1, 2);
    const head = await store.headPosition();
    while (((await readModels.latest())?.checkpoint ?? 0) < head)
      await new Promise((resolve) => setTimeout(resolve, 5));
    readModels.held.release();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const restarts = projector.status().restarts;
    await projector.stop();
    expect(errors).toEqual([]);
    expect(restarts).toBe(0);
  });
});
