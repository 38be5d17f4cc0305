import type { EventStore } from '../ports/event-store.ts';
import type { ProjectionTarget, ReadModelsBuild } from '../ports/read-models.ts';

export type RebuildProgress = { applied: number; total: number; position: number };
export type BuildOutcome = RebuildProgress & { promoted: boolean };

/**
 * Projects events into a build up to its target (the store's head when the build began), from the
 * build's own checkpoint (so an interrupted build resumes), then promotes it. Events appended meanwhile
 * are left to the live projector. Not promoted when the build was taken over or lost on the way
 * (another projector, an emptied Redis), when `stopped` says so, or when the store ran out first.
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
  let page = previous < total ? await events.readAll(previous, pageSize) : [];
  while (previous < total) {
    if (stopped()) return outcome(false);
    const batch = page.filter((event) => event.position <= total);
    const last = batch.at(-1);
    if (last === undefined) break;
    const applying = build.applyBatch(batch, previous);
    // The batch is projected and sent first (its apply runs up to its first round trip meanwhile), so the
    // next page is read and parsed while the read models run this batch's write. A store that answers
    // synchronously (SQLite) would otherwise also hold the event loop for the whole build.
    await new Promise((resolve) => setImmediate(resolve));
    const next = last.position < total ? events.readAll(last.position, pageSize) : Promise.resolve([]);
    next.catch(() => {});
    const result = await applying;
    if (result === 'behind') return outcome(false);
    if (result === 'applied') applied += batch.length;
    previous = result === 'skipped' ? await build.checkpoint() : last.position;
    onProgress({ applied, total, position: previous });
    // A skipped batch leaves the build at its own checkpoint: the page read ahead may not follow it.
    page = previous === last.position ? await next : await events.readAll(previous, pageSize);
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
