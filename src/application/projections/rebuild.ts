import type { EventStore, RecordedEvent } from '../ports/event-store.ts';
import type { ApplyOutcome, ProjectionTarget, ReadModelsBuild } from '../ports/read-models.ts';

export type RebuildProgress = { applied: number; total: number; position: number };
export type BuildOutcome = RebuildProgress & { promoted: boolean };

/** Batches handed to the build before the first of them is answered: one applied while the next is projected. */
const batchesInFlight = 2;

type Sent = { size: number; last: number; outcome: Promise<ApplyOutcome> };

/**
 * Projects events into a build up to its target (the store's head when the build began), from the
 * build's own checkpoint (so an interrupted build resumes), then promotes it. Events appended meanwhile
 * are left to the live projector. Not promoted when the build was taken over or lost on the way
 * (another projector, an emptied Redis), when `stopped` says so, or when the store ran out first.
 *
 * Two batches are in flight: the next is projected and sent while the build applies the one before
 * (a build applies batches in the order it was given them, each only after the one before it).
 */
export const completeBuild = async (
  events: Pick<EventStore, 'readAll'>,
  build: ReadModelsBuild,
  options: {
    onProgress?: (progress: RebuildProgress) => void;
    stopped?: () => boolean;
    pageSize?: number;
  } = {},
): Promise<BuildOutcome> => {
  const { onProgress = () => {}, stopped = () => false, pageSize = 1000 } = options;
  const origin = await build.origin();
  const total = origin?.target ?? 0;
  let previous = await build.checkpoint();
  let applied = 0;
  const outcome = (promoted: boolean): BuildOutcome => ({ applied, total, position: previous, promoted });
  if (origin === null) return outcome(false);
  const read = (after: number): Promise<RecordedEvent[]> =>
    after < total ? events.readAll(after, pageSize) : Promise.resolve([]);
  const inFlight: Sent[] = [];
  /** Waits for every batch still in flight, counting those applied all the same. */
  const settleInFlight = async () => {
    for (const sent of inFlight.splice(0)) {
      if ((await sent.outcome.catch(() => null)) === 'applied') applied += sent.size;
    }
  };
  let sentUpTo = previous;
  let page = await read(previous);
  while (previous < total) {
    if (stopped()) {
      await settleInFlight();
      return outcome(false);
    }
    while (inFlight.length < batchesInFlight && sentUpTo < total) {
      const batch = page.filter((event) => event.position <= total);
      const last = batch.at(-1);
      if (last === undefined) break;
      const sent = { size: batch.length, last: last.position, outcome: build.applyBatch(batch, sentUpTo) };
      sent.outcome.catch(() => {});
      inFlight.push(sent);
      sentUpTo = last.position;
      // The batch is projected and sent first, so the next page is read while the build writes. A store
      // that answers synchronously (SQLite) would otherwise also hold the event loop for the whole build.
      await new Promise((resolve) => setImmediate(resolve));
      page = await read(sentUpTo);
    }
    const oldest = inFlight.shift();
    if (oldest === undefined) break;
    const result = await oldest.outcome;
    if (result === 'applied') {
      applied += oldest.size;
      previous = oldest.last;
      onProgress({ applied, total, position: previous });
      continue;
    }
    // Taken over or lost: what was sent after this batch followed it, so it is dropped too.
    await settleInFlight();
    if (result === 'behind') return outcome(false);
    previous = await build.checkpoint();
    onProgress({ applied, total, position: previous });
    sentUpTo = previous;
    page = await read(previous);
  }
  return outcome(await build.promote());
};

/** A fresh build of everything up to the store's head now, promoted when complete. */
export const buildFromScratch = async (
  events: Pick<EventStore, 'readAll' | 'headPosition' | 'storeId'>,
  target: ProjectionTarget,
  onProgress?: (progress: RebuildProgress) => void,
): Promise<BuildOutcome> => {
  const build = await target.startBuild(await events.storeId(), await events.headPosition());
  return completeBuild(events, build, onProgress === undefined ? {} : { onProgress });
};
