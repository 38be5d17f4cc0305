import { type RedisClient, redisTopology } from '../../adapters/redis/connect-redis.ts';
import type { EventStore } from '../../application/ports/event-store.ts';
import type { PersonalDataVault } from '../../application/ports/personal-data-vault.ts';
import { loadConfig } from '../../config/config.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { progressLine } from '../progress.ts';
import { rebuildRedisReadModels } from '../rebuild-read-models.ts';
import { withScope } from '../scope.ts';

export const rebuild: CliCommand = {
  name: 'rebuild',
  synopsis: '',
  summary:
    'Rebuild the Redis read models from the event store into a fresh generation and switch to it. (With in-memory read models there is nothing to rebuild: they are rebuilt at every start.)',
  run: async ({ warn }) => {
    if (redisTopology(loadConfig()) === null) {
      warn('rebuild: REDIS_URL is not set; in-memory read models are rebuilt at every start.');
      return { text: '', json: null, exitCode: 2 };
    }
    return withScope({ redis: true }, async (scope, config) => {
      const progress = progressLine('rebuild');
      const outcome = await rebuildRedisReadModels(
        scope.resolve<EventStore>(tokens.eventStore),
        scope.resolve<RedisClient>(tokens.redis),
        config.REDIS_KEY_PREFIX,
        scope.resolve<PersonalDataVault>(tokens.vault),
        (p) => progress.update(p.position, p.total),
      );
      const text =
        `${outcome.applied.toLocaleString('en')} events projected into generation ${outcome.generation}; ` +
        `generation ${outcome.replaced} replaced (${outcome.keysDropped} keys removed)`;
      progress.finish('done');
      return { text, json: outcome };
    });
  },
};
