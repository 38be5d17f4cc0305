/**
 * The login check's parts, each as the service sets it up, around a bare Redis GET: the baselines
 * (bench/baseline-server.ts) and the parts A/B (bench/ab-kept-parts.ts) build their routes from here.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { platformKeyHook } from '../../src/adapters/http/authentication.ts';
import { lazyRequestLogger } from '../../src/adapters/http/lazy-request-logger.ts';
import { requestGuards } from '../../src/adapters/http/request-guards.ts';
import { requestLog } from '../../src/adapters/http/request-log.ts';
import { idParam } from '../../src/adapters/http/schemas.ts';
import { securityHeaders } from '../../src/adapters/http/security-headers.ts';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.ts';
import type { RedisClient } from '../../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../../src/adapters/redis/redis-read-models.ts';
import { SystemClock } from '../../src/adapters/system/system-clock.ts';
import { loginRequirements } from '../../src/application/use-cases/login-requirements.ts';
import { createLogger, serviceLogDestination } from '../../src/config/logger.ts';

/**
 * - `security-headers`, `request-log` (one line at `info` to stdout, and the request metric),
 *   `platform-key`: what #20 keeps for the check.
 * - `service-hooks`: the service's other hooks and plugins on every request (missing Host, CORS closed,
 *   cookies, the cross-site check, zod's param validation and response serializer, the lazy request logger).
 * - `read-path`: the service's read models and use case (one script reads user and office, both parsed,
 *   the requirement worked out) instead of the GET.
 */
export const keptParts = ['security-headers', 'request-log', 'platform-key'] as const;
export const allParts = [...keptParts, 'service-hooks', 'read-path'] as const;
export type Part = (typeof allParts)[number];

export type PartsRoute = {
  redis: RedisClient;
  /** The Redis key of the GET's document for a path id. */
  keyOf: (id: string) => string;
  platformApiKey: string;
  /** For `read-path`: the service's read-model prefix, and the user id a path id stands for. */
  readModels?: { prefix: string; userOf: (id: string) => string };
};

export const portOf = (app: FastifyInstance): number => {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
};

/** The bare GET's answer: one Redis GET of a document, parsed. */
export const bareAnswer = async (redis: RedisClient, key: string) => {
  const json = await redis.get(key);
  if (json === null) throw new Error('missing baseline key');
  const document = JSON.parse(json) as { twoFactor?: string };
  return { secondFactor: document.twoFactor === 'enrolled' ? 'required' : 'none' };
};

const answerOf = (route: PartsRoute, parts: ReadonlySet<Part>) => {
  if (!parts.has('read-path')) return (id: string) => bareAnswer(route.redis, route.keyOf(id));
  if (route.readModels === undefined) throw new Error('read-path needs the service read models');
  const { prefix, userOf } = route.readModels;
  const check = loginRequirements({
    readModels: new RedisReadModels(route.redis, { prefix }),
    clock: new SystemClock(),
  });
  return (id: string) => check(userOf(id));
};

const serviceHooks = async (app: FastifyInstance) => {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await requestGuards(app, { corsOrigins: [], cookieSecurity: 'auto' });
};

const checkSchema = {
  params: z.object({ id: idParam }),
  response: { 200: z.object({ secondFactor: z.enum(['none', 'required', 'enrollment-required']) }) },
};

/**
 * `GET <path>/:id` with the given parts, each set up as the service sets it up; `moreRoutes` adds routes
 * beside it that get the app-wide parts (all but the platform key hook, which guards the GET only).
 */
export const partsApp = async (
  route: PartsRoute,
  path: string,
  parts: ReadonlySet<Part>,
  moreRoutes: (app: FastifyInstance) => void = () => {},
): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: createLogger('info', serviceLogDestination()) as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    logController: new LogController({ disableRequestLogging: true }),
    ...(parts.has('service-hooks') ? { childLoggerFactory: lazyRequestLogger } : {}),
  });
  if (parts.has('request-log')) requestLog(app, new PrometheusMetrics([]), 1);
  if (parts.has('security-headers')) securityHeaders(app);
  if (parts.has('service-hooks')) await serviceHooks(app);
  const answer = answerOf(route, parts);
  await app.register(async (platform) => {
    if (parts.has('platform-key')) platform.addHook('onRequest', platformKeyHook(route.platformApiKey));
    platform.get<{ Params: { id: string } }>(
      `${path}/:id`,
      parts.has('service-hooks') ? { schema: checkSchema } : {},
      async (request) => answer(request.params.id),
    );
  });
  moreRoutes(app);
  return app;
};
