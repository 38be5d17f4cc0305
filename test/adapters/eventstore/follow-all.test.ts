import { describe, expect, it, vi } from 'vitest';
import { followAll } from '../../../src/adapters/eventstore/follow-all.ts';
import type { RecordedEvent } from '../../../src/application/ports/event-store.ts';
import { anEvent } from '../../support/events.ts';

const at = (position: number): RecordedEvent => ({
  ...anEvent({ position }),
  streamId: `stream-${position}`,
  revision: 0,
  position,
});

/** A store whose $all holds `stored`, and a follower whose wake-ups and hand-ons the test makes. */
const following = (stored: RecordedEvent[]) => {
  const readAll = vi.fn(async (after: number, limit: number) =>
    stored.filter((event) => event.position > after).slice(0, limit),
  );
  const seen: number[] = [];
  let wake: () => void = () => {};
  let handOn: (committed: RecordedEvent[]) => void = () => {};
  const subscription = followAll(
    { readAll },
    0,
    (event) => {
      seen.push(event.position);
    },
    (wakeUp, hand) => {
      wake = wakeUp;
      handOn = hand;
      return () => {};
    },
    60_000,
  );
  const settled = () => new Promise((resolve) => setTimeout(resolve, 10));
  return {
    readAll,
    seen,
    subscription,
    settled,
    wake: () => wake(),
    handOn: (e: RecordedEvent[]) => handOn(e),
  };
};

describe('followAll with a store that hands on what it committed', () => {
  it('delivers handed-on events that follow on from the last one without reading them', async () => {
    const stored = [at(1), at(2)];
    const follower = following(stored);
    await follower.settled();
    expect(follower.seen).toEqual([1, 2]);
    const readsBefore = follower.readAll.mock.calls.length;

    stored.push(at(3), at(4));
    follower.handOn([at(3), at(4)]);
    await follower.settled();
    expect(follower.seen).toEqual([1, 2, 3, 4]);
    expect(follower.readAll.mock.calls.length).toBe(readsBefore);
    await follower.subscription.stop();
  });

  it('reads instead when another writer committed in between, so nothing is skipped', async () => {
    const follower = following([]);
    await follower.settled();
    const stored = [at(1), at(2), at(3)];
    follower.readAll.mockImplementation(async (after: number) => stored.filter((e) => e.position > after));
    // Position 1 came from another process: this one only knows of 2 and 3.
    follower.handOn([at(2), at(3)]);
    await follower.settled();
    expect(follower.seen).toEqual([1, 2, 3]);
    expect(follower.readAll).toHaveBeenLastCalledWith(0, 1000);
    await follower.subscription.stop();
  });

  it('skips handed-on events it has read already, and delivers none twice', async () => {
    const stored = [at(1), at(2)];
    const follower = following(stored);
    await follower.settled();
    stored.push(at(3));
    follower.handOn([at(2), at(3)]);
    await follower.settled();
    expect(follower.seen).toEqual([1, 2, 3]);
    await follower.subscription.stop();
  });

  it('reads after a plain wake-up (the store handed nothing on)', async () => {
    const stored: RecordedEvent[] = [];
    const follower = following(stored);
    await follower.settled();
    stored.push(at(1));
    follower.wake();
    await follower.settled();
    expect(follower.seen).toEqual([1]);
    await follower.subscription.stop();
  });

  it('reads rather than piling up more than a page of handed-on events behind a slow handler', async () => {
    const stored = Array.from({ length: 1_500 }, (_, index) => at(index + 1));
    const follower = following([]);
    await follower.settled();
    follower.readAll.mockImplementation(async (after: number, limit: number) =>
      stored.filter((e) => e.position > after).slice(0, limit),
    );
    follower.handOn(stored.slice(0, 800));
    follower.handOn(stored.slice(800));
    await follower.settled();
    expect(follower.seen).toEqual(stored.map((event) => event.position));
    await follower.subscription.stop();
  });
});
