import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import type { ProjectionTarget } from '../../src/application/ports/read-models.ts';

/** In-memory read models already serving (an empty store's build, promoted): for tests that apply events by hand. */
export const servingMemoryReadModels = async (storeId = 'test-store'): Promise<MemoryReadModels> => {
  const readModels = new MemoryReadModels();
  await (await readModels.startBuild(storeId, 0)).promote();
  return readModels;
};

/** Waits until the set readers use is complete and has reached `head`; throws after `limitMs`. */
export const untilServing = async (
  readModels: Pick<ProjectionTarget, 'origin'>,
  head: number,
  limitMs = 20_000,
): Promise<void> => {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline; ) {
    const origin = await readModels.origin();
    if (origin?.serving === true && origin.checkpoint >= head) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the read models did not serve position ${head} within ${limitMs} ms`);
};
