import { mkdirSync } from 'node:fs';
import type { DependencyContainer } from 'tsyringe';
import { WebhookNotifier } from '../adapters/notifications/webhook-notifier.ts';
import { connectRedis } from '../adapters/redis/connect-redis.ts';
import { redisTopology } from '../adapters/redis/redis-topology.ts';
import type { SqliteReadModels } from '../adapters/sqlite/sqlite-read-models.ts';
import type { DataKeyStore } from '../application/ports/data-key-store.ts';
import type { EventStore } from '../application/ports/event-store.ts';
import type { Notifier } from '../application/ports/notifier.ts';
import { type Config, loadConfig } from '../config/config.ts';
import { createLogger } from '../config/logger.ts';
import { compose, loadDrivers, tokens } from '../main.ts';

/**
 * The composition root for one CLI command: configuration from the environment, logs on stderr (stdout
 * is the command's answer), every store closed afterwards, and the webhooks the command caused (an
 * erasure, a checkpoint) delivered before the process ends.
 */
export const withScope = async <T>(
  options: { redis: boolean },
  use: (scope: DependencyContainer, config: Config) => Promise<T>,
): Promise<T> => {
  const config = loadConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const topology = options.redis ? redisTopology(config) : null;
  const redis = topology === null ? null : await connectRedis(topology);
  const logger = createLogger(config.LOG_LEVEL, process.stderr);
  const scope = compose(config, logger, redis, await loadDrivers(config));
  try {
    return await use(scope, config);
  } finally {
    await scope.resolve<EventStore>(tokens.eventStore).close();
    await scope.resolve<DataKeyStore>(tokens.dataKeys).close();
    scope.resolve<SqliteReadModels | null>(tokens.readModelFile)?.close();
    const notifier = scope.resolve<Notifier>(tokens.deliveringNotifier);
    if (notifier instanceof WebhookNotifier) await notifier.drain();
    redis?.disconnect();
  }
};
