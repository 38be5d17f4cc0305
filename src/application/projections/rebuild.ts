import type { EventStore } from '../ports/event-store.ts';
import type { ProjectionTarget } from '../ports/read-models.ts';

export type RebuildProgress = { applied: number; total: number; position: number };

/**
 * Projects every event up to the store's head (taken at the start) into an empty target, page by
 * page; events appended meanwhile are left to the live projector. Returns how many were applied.
 */
export const projectFromScratch = async (
  events: Pick<EventStore, 'readAll' | 'headPosition'>,
  target: ProjectionTarget,
  onProgress: (progress: RebuildProgress) => void = () => {},
  pageSize = 1_000,
): Promise<RebuildProgress> => {
  const head = await events.headPosition();
  let previous = await target.checkpoint();
  if (previous !== 0) throw new Error(`The rebuild target is not empty (checkpoint ${previous}).`);
  let applied = 0;
  const total = head;
  let page = await events.readAll(previous, pageSize);
  while (previous < head) {
    if (page.length === 0) break;
    const batch = page.filter((event) => event.position <= head);
    const last = batch.at(-1);
    if (last === undefined) break;
    const applying = target.applyBatch(batch, previous);
    // The next page is read (and parsed) while the target applies this one.
    const next = last.position < head ? events.readAll(last.position, pageSize) : Promise.resolve([]);
    next.catch(() => {});
    const outcome = await applying;
    if (outcome !== 'applied')
      throw new Error(`Rebuild interrupted: events after ${previous} were ${outcome}.`);
    previous = last.position;
    applied += batch.length;
    onProgress({ applied, total, position: previous });
    page = await next;
  }
  return { applied, total, position: previous };
};
