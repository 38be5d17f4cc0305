import type { RedisClient } from '../../adapters/redis/connect-redis.ts';
import { currentGeneration } from '../../adapters/redis/generations.ts';
import { redisTopology } from '../../adapters/redis/redis-topology.ts';
import type { EventStore } from '../../application/ports/event-store.ts';
import type { PersonalDataVault } from '../../application/ports/personal-data-vault.ts';
import type { ProjectionTarget } from '../../application/ports/read-models.ts';
import { OpeningProjectionTarget } from '../../application/projections/opening-projection-target.ts';
import { judgeOrigin } from '../../application/projections/origin-verdict.ts';
import { buildFromScratch } from '../../application/projections/rebuild.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { progressLine } from '../progress.ts';
import { withScope } from '../scope.ts';

export const rebuild: CliCommand = {
  name: 'rebuild',
  synopsis: '[--force]',
  summary:
    'Rebuild the read models from the event store when they are not a complete projection of this store (the service does this by itself too); --force rebuilds them anyway. Redis: into a fresh generation, switched to when complete. Embedded: read-models.sqlite in place (a running service answers 503 until it is complete).',
  options: { force: { type: 'boolean' } },
  run: async ({ values, warn }) =>
    withScope({ redis: true }, async (scope, config) => {
      const events = scope.resolve<EventStore>(tokens.eventStore);
      const readModels = scope.resolve<ProjectionTarget>(tokens.readModels);
      const verdict = await judgeOrigin(() => readModels.origin(), events);
      if (verdict.ok && values.force !== true) {
        const text =
          `the read models are complete and built from this event store (${verdict.storeId}, position ` +
          `${verdict.origin.checkpoint}): nothing to do; --force rebuilds them anyway`;
        return {
          text,
          json: { rebuilt: false, storeId: verdict.storeId, position: verdict.origin.checkpoint },
        };
      }
      if (!verdict.ok) warn(`rebuilding: ${verdict.detail}`);
      const progress = progressLine('rebuild');
      const outcome = await buildFromScratch(
        events,
        new OpeningProjectionTarget(readModels, scope.resolve<PersonalDataVault>(tokens.vault)),
        (p) => progress.update(p.position, p.total),
      );
      if (!outcome.promoted) {
        progress.finish(`stopped at position ${outcome.position} of ${outcome.total}`);
        warn('rebuild: another projector took the new set over; nothing was switched');
        return { text: '', json: { rebuilt: false, ...outcome }, exitCode: 1 };
      }
      progress.finish('done');
      const set =
        redisTopology(config) === null
          ? 'read-models.sqlite'
          : `Redis generation ${await currentGeneration(scope.resolve<RedisClient>(tokens.redis), config.REDIS_KEY_PREFIX)}`;
      const text = `${outcome.applied.toLocaleString('en')} events projected into a fresh set of read models (${set}); it serves now`;
      return { text, json: { rebuilt: true, ...outcome } };
    }),
};
