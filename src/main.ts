import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { container, type DependencyContainer } from 'tsyringe';
import { MemoryEventStore } from './adapters/eventstore/memory/memory-event-store.ts';
import { buildApp } from './adapters/http/app.ts';
import type { EventStore } from './application/ports/event-store.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { createLogger } from './config/logger.ts';

/** Injection tokens: the only place that knows which adapter stands behind each port. */
export const tokens = {
  config: Symbol('Config'),
  logger: Symbol('Logger'),
  eventStore: Symbol('EventStore'),
} as const;

/** Registers every adapter for the configuration; nothing connects until something is resolved. */
export const compose = (
  config: Config,
  logger: Logger = createLogger(config.LOG_LEVEL),
): DependencyContainer => {
  const scope = container.createChildContainer();
  scope.register(tokens.config, { useValue: config });
  scope.register(tokens.logger, { useValue: logger });
  scope.register<EventStore>(tokens.eventStore, { useFactory: () => new MemoryEventStore() });
  return scope;
};

export type RunningService = { app: FastifyInstance; stop: () => Promise<void> };

/** Starts the whole service for a configuration and returns a handle that stops it cleanly. */
export const startService = async (config: Config, logger?: Logger): Promise<RunningService> => {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const scope = compose(config, logger);
  const log = scope.resolve<Logger>(tokens.logger);
  const events = scope.resolve<EventStore>(tokens.eventStore);
  const app = await buildApp(
    { logger: log, readiness: { eventStore: () => events.ping() } },
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, requestTimeoutMs: config.REQUEST_TIMEOUT_MS },
  );
  await app.listen({ port: config.PORT, host: config.HOST });
  return {
    app,
    stop: async () => {
      await app.close();
      await events.close();
    },
  };
};

const runFromCommandLine = async (): Promise<void> => {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const service = await startService(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
};

if (import.meta.main) await runFromCommandLine();
