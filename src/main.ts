import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tracer } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { container, type DependencyContainer } from 'tsyringe';
import { AesGcmSecretCipher } from './adapters/crypto/aes-gcm-secret-cipher.ts';
import { Argon2idPasswordHasher } from './adapters/crypto/argon2id-password-hasher.ts';
import { BoundedPasswordHasher, threadPoolWarning } from './adapters/crypto/bounded-password-hasher.ts';
import { CommonPasswordList } from './adapters/crypto/common-password-list.ts';
import { DataKeyVault, KeyringMismatchError } from './adapters/crypto/data-key-vault.ts';
import { loadOrCreateAuditSigner } from './adapters/crypto/ed25519-audit-signer.ts';
import { loadOrCreateKeyring, readOrCreateSecretFile } from './adapters/crypto/keyring-file.ts';
import { OtplibTotp } from './adapters/crypto/otplib-totp.ts';
import { RandomTokens } from './adapters/crypto/random-tokens.ts';
import { Sha256RecoveryCodes } from './adapters/crypto/recovery-codes.ts';
import { lowerThreadPoolPriority } from './adapters/crypto/thread-pool-priority.ts';
import type { EsdbDataKeyStore } from './adapters/eventstore/esdb/esdb-data-key-store.ts';
import type { EsdbEventStore } from './adapters/eventstore/esdb/esdb-event-store.ts';
import type { PostgresDataKeyStore } from './adapters/eventstore/postgres/postgres-data-key-store.ts';
import type { PostgresEventStore } from './adapters/eventstore/postgres/postgres-event-store.ts';
import { SqliteEventStore } from './adapters/eventstore/sqlite/sqlite-event-store.ts';
import { buildApp } from './adapters/http/app.ts';
import { requestContext } from './adapters/http/request-context.ts';
import { SqliteDataKeyStore } from './adapters/keys/sqlite-data-key-store.ts';
import { MemorySessionStore } from './adapters/memory/memory-session-store.ts';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.ts';
import { LogNotifier } from './adapters/notifications/log-notifier.ts';
import { WebhookNotifier } from './adapters/notifications/webhook-notifier.ts';
import { QrcodeRenderer } from './adapters/qr/qrcode-renderer.ts';
import type { RedisClient } from './adapters/redis/connect-redis.ts';
import { redisTopology } from './adapters/redis/redis-topology.ts';
import { SessionStoreWithDurableFreezeTokens } from './adapters/sqlite/durable-freeze-tokens.ts';
import { SqliteReadModels } from './adapters/sqlite/sqlite-read-models.ts';
import { type MemoryRelease, processMemoryRelease } from './adapters/system/memory-release.ts';
import { SystemClock } from './adapters/system/system-clock.ts';
import { UuidIds } from './adapters/system/uuid-ids.ts';
import { httpTracing } from './adapters/telemetry/http-tracing.ts';
import { tracedEventStore, tracedReadModels, tracedSessionStore } from './adapters/telemetry/traced-ports.ts';
import { tracedUseCases } from './adapters/telemetry/traced-use-cases.ts';
import { startTracing } from './adapters/telemetry/tracing.ts';
import { startPeriodicCheckpoints } from './application/audit-chain/periodic-checkpoints.ts';
import type { ApplicationDeps } from './application/dependencies.ts';
import { LeasedProjector } from './application/leased-projector.ts';
import type { Clock } from './application/ports/clock.ts';
import type { DataKeyStore } from './application/ports/data-key-store.ts';
import { type EventStore, EventStoreUnavailableError } from './application/ports/event-store.ts';
import type { Notifier } from './application/ports/notifier.ts';
import type { PasswordHasher } from './application/ports/password-hasher.ts';
import type { ProjectionTarget, ReadModels } from './application/ports/read-models.ts';
import type { SessionStore } from './application/ports/session-store.ts';
import { OpeningProjectionTarget } from './application/projections/opening-projection-target.ts';
import { OriginCheckedReadModels } from './application/projections/origin-gate.ts';
import { isWrongOrigin } from './application/projections/origin-verdict.ts';
import { Projector } from './application/projector.ts';
import { createUseCases, type UseCases } from './application/use-cases/index.ts';
import { type Config, ConfigError, cookieSecurity, loadConfig } from './config/config.ts';
import { createLogger, serviceLogDestination } from './config/logger.ts';

/** Injection tokens: the only place that knows which adapter stands behind each port. */
export const tokens = {
  config: Symbol('Config'),
  logger: Symbol('Logger'),
  redis: Symbol('Redis'),
  eventStore: Symbol('EventStore'),
  dataKeys: Symbol('DataKeyStore'),
  vault: Symbol('DataKeyVault'),
  readModels: Symbol('ReadModels'),
  readModelFile: Symbol('ReadModelFile'),
  freezeTokenFile: Symbol('FreezeTokenFile'),
  servingReadModels: Symbol('ServingReadModels'),
  sessions: Symbol('SessionStore'),
  notifier: Symbol('Notifier'),
  deliveringNotifier: Symbol('DeliveringNotifier'),
  metrics: Symbol('Metrics'),
  clock: Symbol('Clock'),
  applicationDeps: Symbol('ApplicationDeps'),
  useCases: Symbol('UseCases'),
  projector: Symbol('Projector'),
  memoryRelease: Symbol('MemoryRelease'),
  projectorRunner: Symbol('ProjectorRunner'),
} as const;

const challengeTtlSeconds = 10 * 60;
/** How often each instance checks that its read models still come from its event store, complete. */
const readModelsCheckMs = 1_000;
/** With several instances, one projects; another takes over within this time after it dies. */
const projectorLeaseMs = 5_000;
/** A catch-up of this many events or more grows the heap well past what the service keeps. */
const largeCatchUp = 10_000;

type ProjectorRunner = { start(): void; stop(): Promise<void>; isLeader(): boolean };

/** The driver `loadDrivers` loaded for a configured store; compose() is handed them. */
const driver = <T>(loaded: T | null, setting: string): T => {
  if (loaded === null) throw new Error(`${setting} is set: pass loadDrivers(config) to compose().`);
  return loaded;
};

/** The event store's `db.system.name` in traces. */
const eventStoreSystem = (config: Config): string =>
  config.DATABASE_URL !== undefined
    ? 'postgresql'
    : config.EVENTSTORE_URL === undefined
      ? 'sqlite'
      : 'eventstoredb';

/** The platform key from the environment, or one generated once into the data directory (embedded use). */
const platformApiKey = (config: Config, log: Logger): string => {
  if (config.PLATFORM_API_KEY !== undefined) return config.PLATFORM_API_KEY;
  const path = join(config.DATA_DIR, 'platform-api-key');
  const key = readOrCreateSecretFile(path, () => randomBytes(32).toString('base64url'));
  log.warn({ path }, 'PLATFORM_API_KEY is not set: using the generated key in this file');
  return key;
};

type StoreDriver<E, D> = { EventStore: E; DataKeyStore: D };
export type Drivers = {
  esdb: StoreDriver<typeof EsdbEventStore, typeof EsdbDataKeyStore> | null;
  postgres: StoreDriver<typeof PostgresEventStore, typeof PostgresDataKeyStore> | null;
  redis: typeof import('./adapters/redis/redis-driver.ts') | null;
};

/**
 * The client library of each store that is configured, and only of those: the embedded default loads
 * neither ioredis nor pg (~6 MB), and EventStoreDB's gRPC stack (~30 MB) only when it is used.
 */
export const loadDrivers = async (config: Config): Promise<Drivers> => ({
  esdb:
    config.EVENTSTORE_URL === undefined
      ? null
      : {
          EventStore: (await import('./adapters/eventstore/esdb/esdb-event-store.ts')).EsdbEventStore,
          DataKeyStore: (await import('./adapters/eventstore/esdb/esdb-data-key-store.ts')).EsdbDataKeyStore,
        },
  postgres:
    config.DATABASE_URL === undefined
      ? null
      : {
          EventStore: (await import('./adapters/eventstore/postgres/postgres-event-store.ts'))
            .PostgresEventStore,
          DataKeyStore: (await import('./adapters/eventstore/postgres/postgres-data-key-store.ts'))
            .PostgresDataKeyStore,
        },
  redis: redisTopology(config) === null ? null : await import('./adapters/redis/redis-driver.ts'),
});

const noDrivers: Drivers = { esdb: null, postgres: null, redis: null };

/** Adapters a test may put in place of the real ones. */
export type AdapterOverrides = {
  /** What runs under the bound of PASSWORD_HASH_CONCURRENCY; argon2id unless set. */
  passwordHasher?: PasswordHasher;
  /** The system clock unless set: tests move time past deadlines (a four-eyes request's 24 hours). */
  clock?: Clock;
};

/**
 * Registers every adapter for the configuration. `redis` is the one connection (or null for the
 * embedded deployment); it is made before composing because connecting is asynchronous, as is loading
 * the `drivers` of the configured stores.
 */
export const compose = (
  config: Config,
  logger: Logger,
  redis: RedisClient | null,
  drivers: Drivers = noDrivers,
  /** Set when traces are exported: the stores and use cases are wrapped in span decorators. */
  tracer: Tracer | null = null,
  overrides: AdapterOverrides = {},
): DependencyContainer => {
  const scope = container.createChildContainer();
  const traced = <T>(inner: T, decorate: (inner: T, tracer: Tracer) => T): T =>
    tracer === null ? inner : decorate(inner, tracer);
  const single = <T>(token: symbol, make: (resolve: <U>(token: symbol) => U) => T) => {
    let instance: T | undefined;
    scope.register<T>(token, {
      useFactory: (dependencies) => {
        instance ??= make((inner) => dependencies.resolve(inner));
        return instance;
      },
    });
  };
  scope.register(tokens.config, { useValue: config });
  scope.register(tokens.logger, { useValue: logger });
  scope.register(tokens.redis, { useValue: redis });
  scope.register<Clock>(tokens.clock, { useValue: overrides.clock ?? new SystemClock() });
  single<PrometheusMetrics>(
    tokens.metrics,
    (resolve) =>
      new PrometheusMetrics([
        {
          name: 'read-models',
          checkpoint: () => resolve<ReadModels>(tokens.readModels).checkpoint(),
          head: () => resolve<EventStore>(tokens.eventStore).headPosition(),
          lastAppliedAt: () => resolve<Projector>(tokens.projector).status().lastAppliedAt,
          leader: () => resolve<ProjectorRunner>(tokens.projectorRunner).isLeader(),
        },
      ]),
  );
  single<EventStore>(tokens.eventStore, (resolve) =>
    traced(
      resolve<PrometheusMetrics>(tokens.metrics).timedEventStore(
        config.DATABASE_URL !== undefined
          ? new (driver(drivers.postgres, 'DATABASE_URL').EventStore)(config.DATABASE_URL)
          : config.EVENTSTORE_URL === undefined
            ? new SqliteEventStore(join(config.DATA_DIR, 'events.sqlite'))
            : new (driver(drivers.esdb, 'EVENTSTORE_URL').EventStore)(config.EVENTSTORE_URL),
      ),
      (inner, tracer) => tracedEventStore(inner, tracer, eventStoreSystem(config)),
    ),
  );
  // Embedded: their own file beside the events, so a restart applies only what is new (see README).
  single<SqliteReadModels | null>(tokens.readModelFile, () =>
    redis === null ? new SqliteReadModels(join(config.DATA_DIR, 'read-models.sqlite')) : null,
  );
  single<ReadModels & ProjectionTarget>(tokens.readModels, (resolve) =>
    traced<ReadModels & ProjectionTarget>(
      resolve<SqliteReadModels | null>(tokens.readModelFile) ??
        new (driver(drivers.redis, 'Redis').RedisReadModels)(redis as RedisClient, {
          prefix: config.REDIS_KEY_PREFIX,
        }),
      (inner, tracer) => tracedReadModels(inner, tracer, redis === null ? 'sqlite' : 'redis'),
    ),
  );
  // Answers only from a complete projection of this event store (see OriginCheckedReadModels).
  single<OriginCheckedReadModels>(tokens.servingReadModels, (resolve) => {
    const readModels = resolve<ReadModels & ProjectionTarget>(tokens.readModels);
    const metrics = resolve<PrometheusMetrics>(tokens.metrics);
    return new OriginCheckedReadModels(readModels, readModels, resolve(tokens.eventStore), (verdict) => {
      metrics.readModelsOrigin(verdict);
      if (verdict.ok) logger.info({ storeId: verdict.storeId }, 'read models serve');
      else if (isWrongOrigin(verdict))
        logger.error(
          {
            problem: verdict.problem,
            storeId: verdict.storeId,
            readModelsStoreId: verdict.readModelsStoreId,
          },
          `read models rejected: ${verdict.detail}`,
        );
      else
        logger.warn(
          { problem: verdict.problem, storeId: verdict.storeId },
          `read models not serving: ${verdict.detail}`,
        );
    });
  });
  // Embedded: sessions in memory, but the freeze tokens of a week's e-mails survive a restart.
  single<SessionStoreWithDurableFreezeTokens | null>(tokens.freezeTokenFile, (resolve) =>
    redis === null
      ? new SessionStoreWithDurableFreezeTokens(
          join(config.DATA_DIR, 'freeze-tokens.sqlite'),
          new MemorySessionStore(new RandomTokens(), resolve<Clock>(tokens.clock)),
          new RandomTokens(),
          resolve<Clock>(tokens.clock),
        )
      : null,
  );
  single<SessionStore>(tokens.sessions, (resolve) =>
    traced<SessionStore>(
      resolve<SessionStoreWithDurableFreezeTokens | null>(tokens.freezeTokenFile) ??
        new (driver(drivers.redis, 'Redis').RedisSessionStore)(
          redis as RedisClient,
          config.REDIS_KEY_PREFIX,
          new RandomTokens(),
        ),
      (inner, tracer) => tracedSessionStore(inner, tracer, redis === null ? 'memory' : 'redis'),
    ),
  );
  single<Notifier>(tokens.deliveringNotifier, () =>
    config.WEBHOOK_URL !== undefined && config.WEBHOOK_SECRET !== undefined
      ? new WebhookNotifier({ url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET }, logger)
      : new LogNotifier(logger),
  );
  single<Notifier>(tokens.notifier, (resolve) =>
    resolve<PrometheusMetrics>(tokens.metrics).countingNotifier(resolve(tokens.deliveringNotifier)),
  );
  single<DataKeyStore>(tokens.dataKeys, () =>
    config.DATABASE_URL !== undefined
      ? new (driver(drivers.postgres, 'DATABASE_URL').DataKeyStore)(config.DATABASE_URL)
      : config.EVENTSTORE_URL === undefined
        ? new SqliteDataKeyStore(join(config.DATA_DIR, 'data-keys.sqlite'))
        : new (driver(drivers.esdb, 'EVENTSTORE_URL').DataKeyStore)(config.EVENTSTORE_URL),
  );
  single<DataKeyVault>(
    tokens.vault,
    (resolve) =>
      new DataKeyVault(
        resolve(tokens.dataKeys),
        new AesGcmSecretCipher(
          loadOrCreateKeyring({
            secretKeys: config.SECRET_KEYS,
            dataDir: config.DATA_DIR,
            warn: (message) => logger.warn(message),
          }),
        ),
        resolve(tokens.clock),
      ),
  );
  single<ApplicationDeps>(tokens.applicationDeps, (resolve) => ({
    events: resolve(tokens.eventStore),
    readModels: resolve(tokens.servingReadModels),
    sessions: resolve(tokens.sessions),
    notifier: resolve(tokens.notifier),
    clock: resolve(tokens.clock),
    ids: new UuidIds(),
    totp: new OtplibTotp({ window: config.TOTP_WINDOW, issuer: config.TOTP_ISSUER }),
    vault: resolve(tokens.vault),
    blindIndex: resolve(tokens.vault),
    passwords: new BoundedPasswordHasher(
      overrides.passwordHasher ?? new Argon2idPasswordHasher(),
      {
        concurrency: config.PASSWORD_HASH_CONCURRENCY,
        queueLimit: config.PASSWORD_HASH_QUEUE_LIMIT,
        queueTimeoutMs: config.PASSWORD_HASH_QUEUE_TIMEOUT_MS,
      },
      resolve<PrometheusMetrics>(tokens.metrics).passwordHashObserver(),
    ),
    commonPasswords: new CommonPasswordList(),
    recoveryCodes: new Sha256RecoveryCodes(),
    deviceTokens: new RandomTokens(),
    qr: new QrcodeRenderer(),
    auditSigner: loadOrCreateAuditSigner({
      signingKeys: config.AUDIT_SIGNING_KEY,
      dataDir: config.DATA_DIR,
      warn: (message) => logger.warn(message),
    }),
    settings: {
      sessionTtlSeconds: config.SESSION_TTL_SECONDS,
      challengeTtlSeconds,
      temporaryAccessHours: config.TEMPORARY_ACCESS_MAX_HOURS,
      supportApproval: config.SUPPORT_APPROVAL,
    },
  }));
  single<UseCases>(tokens.useCases, (resolve) =>
    traced(createUseCases(resolve(tokens.applicationDeps)), tracedUseCases),
  );
  single<ProjectorRunner>(tokens.projectorRunner, (resolve) => {
    const projector = resolve<Projector>(tokens.projector);
    if (redis === null)
      return { start: () => projector.start(), stop: () => projector.stop(), isLeader: () => true };
    const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const lease = new (driver(drivers.redis, 'Redis').RedisLease)(redis, {
      key: `${config.REDIS_KEY_PREFIX}projector-lease`,
      holder,
      ttlMs: projectorLeaseMs,
    });
    return new LeasedProjector(
      projector,
      lease,
      logger.child({ part: 'projector-lease' }),
      projectorLeaseMs / 5,
    );
  });
  single<MemoryRelease>(tokens.memoryRelease, () => processMemoryRelease(logger.child({ part: 'memory' })));
  single<Projector>(
    tokens.projector,
    (resolve) =>
      new Projector(
        resolve(tokens.eventStore),
        new OpeningProjectionTarget(resolve(tokens.readModels), resolve(tokens.vault)),
        logger.child({ part: 'projector' }),
        {
          onCaughtUp: ({ events }) => {
            // Serve as soon as a build is promoted, not at the next periodic check.
            void resolve<OriginCheckedReadModels>(tokens.servingReadModels)
              .check()
              .catch(() => {});
            if (events >= largeCatchUp)
              void resolve<MemoryRelease>(tokens.memoryRelease)
                .releaseIfGrown('catch-up')
                .catch(() => {});
          },
        },
      ),
  );
  return scope;
};

export type RunningService = {
  app: FastifyInstance;
  url: string;
  /** Stops accepting requests, then the projector, then closes stores; `dropRedisKeys` is for tests. */
  stop: (options?: { dropRedisKeys?: boolean }) => Promise<void>;
};

/** Starts the whole service for a configuration and returns a handle that stops it cleanly. */
export const startService = async (
  config: Config,
  logger?: Logger,
  overrides: AdapterOverrides = {},
): Promise<RunningService> => {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const log = logger ?? createLogger(config.LOG_LEVEL, serviceLogDestination());
  const threadPool = threadPoolWarning(config.PASSWORD_HASH_CONCURRENCY);
  if (threadPool !== null) log.warn(threadPool);
  const topology = redisTopology(config);
  const drivers = await loadDrivers(config);
  const redisDriver = topology === null ? null : driver(drivers.redis, 'Redis');
  const redis =
    topology === null || redisDriver === null
      ? null
      : redisDriver.connectRedisInBackground(topology, (error) =>
          log.error({ err: error }, 'Redis is unreachable: answering 503 until it is back'),
        );
  // Null, and nothing installed, unless an OTLP endpoint is configured.
  const tracing = await startTracing(config, (message) => log.warn(message));
  const scope = compose(config, log, redis, drivers, tracing?.tracer ?? null, overrides);
  const events = scope.resolve<EventStore>(tokens.eventStore);
  await scope
    .resolve<DataKeyVault>(tokens.vault)
    .checkKeyringOpensStoredKeys()
    .catch(async (error: unknown) => {
      // A store that is down at start-up is served as 503 until it is back, as before: not checkable now.
      if (error instanceof EventStoreUnavailableError) {
        log.warn('the data keys are unreachable: the keyring is not checked against them at this start');
        return;
      }
      await events.close();
      await scope.resolve<DataKeyStore>(tokens.dataKeys).close();
      redis?.disconnect();
      throw error;
    });
  const readModels = scope.resolve<OriginCheckedReadModels>(tokens.servingReadModels);
  const sessions = scope.resolve<SessionStore>(tokens.sessions);
  const notifier = scope.resolve<Notifier>(tokens.deliveringNotifier);
  const projector = scope.resolve<ProjectorRunner>(tokens.projectorRunner);
  // Judged before the first request: a restored or swapped store is never answered from old read models.
  await readModels.start(readModelsCheckMs);
  projector.start();
  const useCases = scope.resolve<UseCases>(tokens.useCases);
  const idleMemoryChecks = scope
    .resolve<MemoryRelease>(tokens.memoryRelease)
    .checkEvery(config.MEMORY_RELEASE_IDLE_SECONDS);
  const checkpoints = startPeriodicCheckpoints({
    intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL,
    isLeader: () => projector.isLeader(),
    sign: () =>
      useCases.signAuditCheckpointIfChanged({
        actor: { id: 'audit-checkpoints', role: 'system' },
        correlationId: randomUUID(),
      }),
    onError: (error) => log.warn({ err: error }, 'signing the periodic audit checkpoint failed'),
  });

  const app = await buildApp(
    {
      logger: log,
      readiness: {
        eventStore: () => events.ping(),
        readModels: () => readModels.ping(),
        sessions: () => sessions.ping(),
      },
      useCases,
      sessions,
      clock: scope.resolve<Clock>(tokens.clock),
      waitForProjection: async (position) => {
        if (position === null) return;
        // Throws ReadModelsRebuildingError (503) while no complete read models serve.
        if (!(await readModels.waitFor(position, config.PROJECTION_WAIT_MS))) {
          log.warn({ position }, 'read models did not catch up in time; the next read may be stale');
        }
      },
      platformApiKey: platformApiKey(config, log),
      metrics: scope.resolve<PrometheusMetrics>(tokens.metrics),
      rateLimitStore: redis === null ? null : { redis, prefix: `${config.REDIS_KEY_PREFIX}rate-limit:` },
      ...(tracing === null
        ? {}
        : {
            instrument: httpTracing(tracing.tracer, {
              correlationIdOf: (request) => requestContext(request).correlationId,
            }),
          }),
    },
    {
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      corsOrigins: config.CORS_ORIGINS,
      sessionTtlSeconds: config.SESSION_TTL_SECONDS,
      cookieSecurity: cookieSecurity(config),
      trustProxy: config.TRUST_PROXY,
      loginRateLimitPerMinute: config.LOGIN_RATE_LIMIT_PER_MINUTE,
      loginRateLimitPerAccountPerMinute: config.LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE,
      requestLogSample: config.LOG_REQUEST_SAMPLE,
      // One level below the repository root both as src/main.ts and as the bundle dist/main.js.
      webRoot: fileURLToPath(new URL('../web/dist/', import.meta.url)),
    },
  );
  // The argon2id hasher has started libuv's thread pool by now (its dummy hash).
  const lowered = lowerThreadPoolPriority(config.PASSWORD_HASH_NICENESS);
  log.debug(
    { threads: lowered, niceness: config.PASSWORD_HASH_NICENESS },
    'password hashing threads lowered',
  );
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  return {
    app,
    url: address,
    stop: async (options = {}) => {
      idleMemoryChecks.stop();
      await app.close();
      await checkpoints.stop();
      readModels.stop();
      await projector.stop();
      await events.close();
      scope.resolve<SqliteReadModels | null>(tokens.readModelFile)?.close();
      scope.resolve<SessionStoreWithDurableFreezeTokens | null>(tokens.freezeTokenFile)?.close();
      await scope.resolve<DataKeyStore>(tokens.dataKeys).close();
      if (notifier instanceof WebhookNotifier) await notifier.drain();
      if (redis !== null) {
        if (options.dropRedisKeys === true)
          await redisDriver?.deleteKeysWithPrefix(redis, config.REDIS_KEY_PREFIX);
        redis.disconnect();
      }
      // Last, so the spans of the requests that were still running are exported too.
      await tracing
        ?.shutdown()
        .catch((error: unknown) => log.warn({ err: error }, 'exporting traces failed'));
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
  const service = await startService(config).catch((error: unknown) => {
    if (!(error instanceof KeyringMismatchError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
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
