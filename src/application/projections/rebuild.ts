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
  pageSize = 1000,
): Promise<RebuildProgress> => {
  const head = await events.headPosition();
  let previous = await target.checkpoint();
  if (previous !== 0) throw new Error(`The rebuild target is not empty (checkpoint ${previous}).`);
  let applied = 0;
  const total = head;
  while (previous < head) {
    const page = await events.readAll(previous, pageSize);
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > head) return { applied, total, position: previous };
      const outcome = await target.apply(event, previous);
      if (outcome !== 'applied')
        throw new Error(`Rebuild interrupted: event ${event.position} was ${outcome}.`);
      previous = event.position;
      applied += 1;
    }
    onProgress({ applied, total, position: previous });
  }
  return { applied, total, position: previous };
};
