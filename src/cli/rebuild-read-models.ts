import type { RedisClient } from '../adapters/redis/connect-redis.ts';
import { currentGeneration, dropGeneration, promoteGeneration } from '../adapters/redis/generations.ts';
import { RedisReadModels } from '../adapters/redis/redis-read-models.ts';
import type { EventStore } from '../application/ports/event-store.ts';
import type { PersonalDataVault } from '../application/ports/personal-data-vault.ts';
import { OpeningProjectionTarget } from '../application/projections/opening-projection-target.ts';
import { projectFromScratch, type RebuildProgress } from '../application/projections/rebuild.ts';

export type RebuildOutcome = RebuildProgress & { generation: number; replaced: number; keysDropped: number };

/**
 * Projects every event into a fresh generation, then switches readers to it in one SET: logins keep
 * reading the old, complete models until then. Running projectors notice and continue on the new one.
 */
export const rebuildRedisReadModels = async (
  events: Pick<EventStore, 'readAll' | 'headPosition'>,
  redis: RedisClient,
  prefix: string,
  vault: PersonalDataVault,
  onProgress: (progress: RebuildProgress) => void = () => {},
): Promise<RebuildOutcome> => {
  const generation = (await currentGeneration(redis, prefix)) + 1;
  await dropGeneration(redis, prefix, generation);
  const target = new OpeningProjectionTarget(new RedisReadModels(redis, { prefix, generation }), vault);
  const progress = await projectFromScratch(events, target, onProgress);
  const replaced = await promoteGeneration(redis, prefix, generation);
  const keysDropped = await dropGeneration(redis, prefix, replaced);
  return { ...progress, generation, replaced, keysDropped };
};
