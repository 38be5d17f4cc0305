import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';

/** In-memory read models already serving (an empty store's build, promoted): for tests that apply events by hand. */
export const servingMemoryReadModels = async (storeId = 'test-store'): Promise<MemoryReadModels> => {
  const readModels = new MemoryReadModels();
  await (await readModels.startBuild(storeId, 0)).promote();
  return readModels;
};
