import type { EventStore } from '../ports/event-store.ts';
import type { ReadModelOrigin } from '../ports/read-models.ts';
import { projectionVersion } from './documents.ts';

export type OriginProblem =
  | 'unchecked'
  | 'empty'
  | 'foreign-store'
  | 'beyond-head'
  | 'old-projection'
  | 'rejected'
  | 'incomplete';

export type OriginVerdict =
  | { ok: true; storeId: string; origin: ReadModelOrigin }
  | {
      ok: false;
      problem: OriginProblem;
      /** The set judged (null: none). */
      setId: string | null;
      /** The event store's id, and the one the read models were built from (null: none). */
      storeId: string;
      readModelsStoreId: string | null;
      detail: string;
    };

/** Problems that mean the read models hold wrong answers (rather than too few): they are rejected and rebuilt. */
export const isWrongOrigin = (verdict: OriginVerdict): boolean =>
  !verdict.ok &&
  (verdict.problem === 'foreign-store' ||
    verdict.problem === 'beyond-head' ||
    verdict.problem === 'old-projection');

/**
 * Whether a set of read models may answer for this event store: built from it (same store id), not
 * beyond its head (a restored, older copy of the store), promoted complete and not rejected since.
 * The origin is read before the head, so a head that grows meanwhile cannot look like a rollback.
 */
export const judgeOrigin = async (
  readOrigin: () => Promise<ReadModelOrigin | null>,
  store: Pick<EventStore, 'storeId' | 'headPosition'>,
): Promise<OriginVerdict> => {
  const origin = await readOrigin();
  const [storeId, head] = await Promise.all([store.storeId(), store.headPosition()]);
  const against = (problem: OriginProblem, detail: string): OriginVerdict => ({
    ok: false,
    problem,
    setId: origin?.setId ?? null,
    storeId,
    readModelsStoreId: origin?.storeId ?? null,
    detail,
  });
  if (origin === null) return against('empty', 'the read models are empty and being built');
  if (origin.storeId !== storeId)
    return against(
      'foreign-store',
      `the read models come from event store ${origin.storeId}, not from ${storeId}; rebuilding`,
    );
  if (origin.checkpoint > head)
    return against(
      'beyond-head',
      `the read models reached position ${origin.checkpoint}, beyond the store's head ${head} (a restored store?); rebuilding`,
    );
  if (origin.projection !== projectionVersion)
    return against(
      'old-projection',
      `the read models were built by projection version ${origin.projection}, not ${projectionVersion}; rebuilding`,
    );
  if (origin.rejected) return against('rejected', 'the read models were found wrong; rebuilding');
  if (!origin.serving)
    return against(
      'incomplete',
      `the read models are being built (${origin.checkpoint} of ${origin.target} events)`,
    );
  return { ok: true, storeId, origin };
};
