import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '../../application/ports/clock.ts';
import type { SessionStore } from '../../application/ports/session-store.ts';
import type { UseCases } from '../../application/use-cases/index.ts';
import type { ReadinessCheck } from './health-routes.ts';

export type LoginOutcome =
  | 'authenticated'
  | 'second-factor-required'
  | 'enrollment-required'
  | 'rejected'
  | 'locked-out';

/** What the HTTP layer reports and serves at /metrics. */
export type HttpMetrics = {
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  loginOutcome(outcome: LoginOutcome): void;
  render(): Promise<string>;
  readonly contentType: string;
};

export type HttpDependencies = {
  logger: FastifyBaseLogger;
  readiness: ReadinessCheck;
  useCases: UseCases;
  sessions: SessionStore;
  clock: Clock;
  /** Waits (bounded) until the read models include a command's write, so the next read sees it. */
  waitForProjection: (position: number | null) => Promise<void>;
  platformApiKey: string;
  metrics: HttpMetrics;
  /** Shared rate-limit counters for several instances; null keeps them in this process. */
  rateLimitStore: { redis: Redis | Cluster; prefix: string } | null;
  /** Installs hooks (tracing) on the bare app, before any plugin or route; left out when unused. */
  instrument?: (app: FastifyInstance) => void;
};

export type CookieSecurity = 'auto' | 'always' | 'never';

export type HttpOptions = {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  corsOrigins: string[];
  sessionTtlSeconds: number;
  /** When the session cookie is Secure (`__Host-sf_session`): per request (`auto`), `always` or `never`. */
  cookieSecurity: CookieSecurity;
  /** Fastify's `trustProxy`: whose X-Forwarded-For/-Proto/-Host to believe. */
  trustProxy: boolean | number | string[];
  loginRateLimitPerMinute: number;
  loginRateLimitPerAccountPerMinute: number;
  /** Folder of the built web pages served at `/`; web/dist when left out. */
  webRoot?: string;
};
