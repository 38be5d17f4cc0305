import type { RedisClient } from '../adapters/redis/connect-redis.ts';
import { currentGeneration } from '../adapters/redis/generations.ts';
import { RedisReadModels } from '../adapters/redis/redis-read-models.ts';
import type { EventStore } from '../application/ports/event-store.ts';
import type { PersonalDataVault } from '../application/ports/personal-data-vault.ts';
import { OpeningProjectionTarget } from '../application/projections/opening-projection-target.ts';
import {
  type BuildOutcome,
  buildFromScratch,
  type RebuildProgress,
} from '../application/projections/rebuild.ts';

export type RebuildOutcome = BuildOutcome & { generation: number; replaced: number };

/**
 * Projects every event into a fresh generation, then switches readers to it in one step and drops the
 * old one: logins keep reading the old, complete models until then. Running projectors notice and
 * continue on the new one.
 */
export const rebuildRedisReadModels = async (
  events: Pick<EventStore, 'readAll' | 'headPosition' | 'storeId'>,
  redis: RedisClient,
  prefix: string,
  vault: PersonalDataVault,
  onProgress: (progress: RebuildProgress) => void = () => {},
): Promise<RebuildOutcome> => {
  const replaced = await currentGeneration(redis, prefix);
  const target = new OpeningProjectionTarget(new RedisReadModels(redis, { prefix }), vault);
  const outcome = await buildFromScratch(events, target, onProgress);
  return { ...outcome, generation: replaced + 1, replaced };
};
