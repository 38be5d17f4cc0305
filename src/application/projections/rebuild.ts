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
  while (previous < total) {
    if (stopped()) return outcome(false);
    const page = await events.readAll(previous, pageSize);
    const batch = page.filter((event) => event.position <= total);
    const last = batch.at(-1);
    if (last === undefined) break;
    const applying = await build.applyBatch(batch, previous);
    if (applying === 'behind') return outcome(false);
    if (applying === 'applied') applied += batch.length;
    previous = applying === 'skipped' ? await build.checkpoint() : last.position;
    onProgress({ applied, total, position: previous });
    // A store that answers synchronously (SQLite) would otherwise hold the event loop for the whole build.
    await new Promise((resolve) => setImmediate(resolve));
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
