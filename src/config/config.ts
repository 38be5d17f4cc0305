import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { temporaryAccessMaxHoursLimit } from '../domain/user-security/policy.ts';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = (protocols: string[]) =>
  optionalString.refine(
    (value) => value === undefined || protocols.some((protocol) => value.startsWith(`${protocol}://`)),
    { message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );

const integer = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min)
    .max(max)
    .default(fallback);

/** A comma list of `host:port` (e.g. Sentinels or Cluster seed nodes), as `{ host, port }` pairs. */
const hostPorts = optionalString
  .transform((value, context) => {
    if (value === undefined) return undefined;
    const nodes: { host: string; port: number }[] = [];
    for (const entry of value.split(',').map((part) => part.trim())) {
      const colon = entry.lastIndexOf(':');
      const host = entry.slice(0, Math.max(colon, 0)).replace(/^\[(.*)\]$/, '$1');
      const port = Number(entry.slice(colon + 1));
      if (colon <= 0 || host === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
        context.addIssue({ code: 'custom', message: `expected a comma list of host:port, not "${entry}"` });
        return z.NEVER;
      }
      nodes.push({ host, port });
    }
    return nodes;
  })
  .optional();

/** An OTLP/HTTP collector address: http(s) and a URL that parses. */
const otlpUrl = url(['https', 'http']).refine((value) => value === undefined || URL.canParse(value), {
  message: 'expected a valid URL',
});

/** A duration as seconds (`3600`) or with a unit (`90s`, `15m`, `1h`), in seconds; `0` turns it off. */
const durationSeconds = (fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .transform((value, context) => {
      const match = /^(\d{1,7})([smh]?)$/.exec(value);
      if (match === null) {
        context.addIssue({
          code: 'custom',
          message: 'expected seconds, or a number with s, m or h (e.g. 1h)',
        });
        return z.NEVER;
      }
      return Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[match[2] as '' | 's' | 'm' | 'h'];
    });

/** A proxy address: an IP, an IP/prefix, or one of proxy-addr's names for a whole range. */
const isProxyAddress = (entry: string): boolean => {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

/**
 * Which proxies' X-Forwarded-For/-Proto/-Host headers to believe (Fastify's `trustProxy`): `true` (any),
 * a number of hops, or a comma list of addresses; unset or `false`: none.
 */
const trustProxy = optionalString.transform((value, context): boolean | number | string[] => {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isProxyAddress(entry));
  if (bad === undefined) return entries;
  context.addIssue({
    code: 'custom',
    message: `expected true, false, a number of hops or a comma list of IPs, CIDRs, loopback, linklocal, uniquelocal (not "${bad}")`,
  });
  return z.NEVER;
});

/** Every setting the service reads, with its default; README.md documents the same table. */
export const configSchema = z.object({
  PORT: integer(3000, 0, 65_535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  EVENTSTORE_URL: url(['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover', 'kdb', 'kdb+discover']),
  DATABASE_URL: url(['postgres', 'postgresql']),
  REDIS_URL: url(['redis', 'rediss']),
  REDIS_SENTINELS: hostPorts,
  REDIS_SENTINEL_NAME: optionalString,
  REDIS_CLUSTER_NODES: hostPorts,
  REDIS_PASSWORD: optionalString,
  REDIS_KEY_PREFIX: z.string().default('sf:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Share of the per-request `info` lines written (answers of 500 and above always are). */
  LOG_REQUEST_SAMPLE: z.coerce.number({ message: 'expected a number from 0 to 1' }).min(0).max(1).default(1),
  SECRET_KEYS: optionalString,
  PLATFORM_API_KEY: optionalString.refine((value) => value === undefined || value.length >= 32, {
    message: 'expected at least 32 characters',
  }),
  TOTP_ISSUER: z.string().min(1).max(100).default('second-factor'),
  TOTP_WINDOW: integer(1, 0, 1),
  SESSION_TTL_SECONDS: integer(8 * 3600, 60, 30 * 24 * 3600),
  TEMPORARY_ACCESS_MAX_HOURS: integer(24, 1, temporaryAccessMaxHoursLimit),
  /** Four-eyes: `required` makes a reset, a temporary access and an erasure wait for a second agent. */
  SUPPORT_APPROVAL: z.enum(['off', 'required']).default('off'),
  PROJECTION_WAIT_MS: integer(2000, 0, 60_000),
  /** How often an idle service gives unused heap back to the system; 0: only after a large catch-up. */
  MEMORY_RELEASE_IDLE_SECONDS: integer(30, 0, 3600),
  CORS_ORIGINS: optionalString.transform((value) =>
    value === undefined ? [] : value.split(',').map((origin) => origin.trim()),
  ),
  BODY_LIMIT_BYTES: integer(64 * 1024, 1024, 10 * 1024 * 1024),
  REQUEST_TIMEOUT_MS: integer(10_000, 100, 120_000),
  LOGIN_RATE_LIMIT_PER_MINUTE: integer(60, 1, 100_000),
  LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: integer(10, 1, 100_000),
  /** argon2id calls at once: one core stays free for the event loop that serves everything else. */
  PASSWORD_HASH_CONCURRENCY: integer(Math.max(1, availableParallelism() - 1), 1, 1024),
  PASSWORD_HASH_QUEUE_LIMIT: integer(100, 0, 100_000),
  PASSWORD_HASH_QUEUE_TIMEOUT_MS: integer(3_000, 1, 60_000),
  /** Niceness of the threads argon2id runs on (Linux), so the event loop wins a contended core; 0: off. */
  PASSWORD_HASH_NICENESS: integer(10, 0, 19),
  WEBHOOK_URL: url(['https', 'http']),
  WEBHOOK_SECRET: optionalString,
  /** Traces are exported (OTLP/HTTP) only when one of these two is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl,
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('second-factor'),
  /** Ed25519 seeds that sign audit checkpoints, `id:base64,…`, newest first; unset: generated into DATA_DIR. */
  AUDIT_SIGNING_KEY: optionalString,
  AUDIT_CHECKPOINT_INTERVAL: durationSeconds(3600),
  /** Secure session cookie: per request (`auto`), `always` or `never`; see cookieSecurity for the default. */
  COOKIE_SECURE: z.enum(['auto', 'always', 'never']).optional(),
  TRUST_PROXY: trustProxy,
});
export type Config = z.infer<typeof configSchema>;

const redisTopologies = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** At most one Redis topology, with the settings that belong to it and none that do not. */
const withOneRedisTopology = configSchema.superRefine((config, context) => {
  const chosen = redisTopologies.filter((name) => config[name] !== undefined);
  const problem = (name: keyof Config, message: string) =>
    context.addIssue({ code: 'custom', path: [name], message });
  if (config.EVENTSTORE_URL !== undefined && config.DATABASE_URL !== undefined)
    problem(
      'DATABASE_URL',
      'set only one of EVENTSTORE_URL and DATABASE_URL (the event store is one or the other)',
    );
  if (chosen.length > 1)
    problem(
      chosen[1] ?? 'REDIS_URL',
      `set only one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES (found ${chosen.join(' and ')})`,
    );
  if (config.REDIS_SENTINELS !== undefined && config.REDIS_SENTINEL_NAME === undefined)
    problem('REDIS_SENTINEL_NAME', 'required with REDIS_SENTINELS (the master group the Sentinels watch)');
  if (config.REDIS_SENTINELS === undefined && config.REDIS_SENTINEL_NAME !== undefined)
    problem('REDIS_SENTINEL_NAME', 'only used with REDIS_SENTINELS');
  if (
    config.REDIS_PASSWORD !== undefined &&
    chosen[0] !== 'REDIS_SENTINELS' &&
    chosen[0] !== 'REDIS_CLUSTER_NODES'
  )
    problem(
      'REDIS_PASSWORD',
      'only used with REDIS_SENTINELS or REDIS_CLUSTER_NODES (a standalone Redis takes it in REDIS_URL)',
    );
});

/** Settings whose values may hold credentials: an error names them but never echoes the value. */
const secretSettings = new Set([
  'SECRET_KEYS',
  'AUDIT_SIGNING_KEY',
  'PLATFORM_API_KEY',
  'WEBHOOK_SECRET',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'EVENTSTORE_URL',
  'DATABASE_URL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
]);

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment once; a bad value throws a ConfigError naming each variable at fault. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const result = withOneRedisTopology.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const shown = secretSettings.has(name)
        ? '(value hidden)'
        : `(got ${JSON.stringify(env[name] ?? null)})`;
      return `${name}: ${issue.message} ${shown}`;
    }),
  );
};

export type CookieSecurity = 'auto' | 'always' | 'never';

/** Settings that mean a production deployment (servers, not the embedded default). */
const productionSettings = [
  'EVENTSTORE_URL',
  'DATABASE_URL',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_CLUSTER_NODES',
] as const;
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * COOKIE_SECURE, or its default: `always` in a production configuration or when listening beyond this
 * machine (a TLS proxy that does not say so must not make the cookie travel in the clear), `auto` for
 * the embedded default on loopback.
 */
export const cookieSecurity = (config: Config): CookieSecurity =>
  config.COOKIE_SECURE ??
  (productionSettings.some((name) => config[name] !== undefined) || !loopbackHosts.has(config.HOST)
    ? 'always'
    : 'auto');
