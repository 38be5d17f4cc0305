import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { HttpDependencies, HttpOptions } from './dependencies.ts';
import { healthRoutes } from './health-routes.ts';
import { lazyRequestLogger } from './lazy-request-logger.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { swaggerOptions } from './openapi.ts';
import { answerClientError, sendProblem } from './problems.ts';
import { requestGuards } from './request-guards.ts';
import { requestLog } from './request-log.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { checkpointRoutes } from './routes/checkpoint-routes.ts';
import { complianceRoutes } from './routes/compliance-routes.ts';
import { freezeRoutes } from './routes/freeze-routes.ts';
import { importRoutes } from './routes/import-routes.ts';
import { loginRoutes } from './routes/login-routes.ts';
import { meRoutes } from './routes/me-routes.ts';
import { officeRoutes } from './routes/office-routes.ts';
import { platformRoutes } from './routes/platform-routes.ts';
import { reenrollmentRoutes } from './routes/reenrollment-routes.ts';
import { supportRequestRoutes } from './routes/support-request-routes.ts';
import { supportRoutes } from './routes/support-routes.ts';
import { trustedBrowserRoutes } from './routes/trusted-browser-routes.ts';
import { securityHeaders } from './security-headers.ts';
import { defaultWebRoot, webPages } from './web-pages.ts';

export type { HttpDependencies, HttpOptions } from './dependencies.ts';

/** A number of hops works in Fastify at run time, but its types know only the function form of it. */
const fastifyTrustProxy = (trust: HttpOptions['trustProxy']) =>
  typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;

/** Builds the Fastify app from its dependencies; listening is the caller's business. */
export const buildApp = async (deps: HttpDependencies, options: HttpOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    // A connection that sends nothing (a browser's preconnect) is dropped after the same time, so a
    // graceful shutdown never waits on it for Node's default 60 s.
    connectionTimeout: options.requestTimeoutMs,
    genReqId: () => crypto.randomUUID(),
    // One line per request instead, written by requestLog.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    trustProxy: fastifyTrustProxy(options.trustProxy),
    routerOptions: { maxParamLength: 200 },
    // Malformed URLs (bad percent-encoding, over-long params) are answered by the router before any
    // hook runs: route them through the same problem+json answer as every other error.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, error, deps.clock.now()),
    // Requests Node's HTTP parser refuses (bad header bytes, duplicate Content-Length, a 20 KB header…).
    clientErrorHandler: (error, socket) => answerClientError(deps.logger, error, socket),
    // A missing Host is refused by refuseRequestsWithoutHost, as problem+json.
    http: { requireHostHeader: false },
  });
  deps.instrument?.(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error, deps.clock.now()));
  requestLog(app, deps.metrics, options.requestLogSample ?? 1);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/problem+json').send({
      type: 'urn:second-factor:problem:route-not-found',
      title: 'Route not found',
      status: 404,
      code: 'route-not-found',
      instance: request.id,
    }),
  );

  securityHeaders(app);
  await requestGuards(app, options);
  await app.register(fastifyRateLimit, {
    global: false,
    // Redis down makes the login answer 503 from the read models anyway; the counter must not turn it into a 500.
    skipOnError: true,
    ...(deps.rateLimitStore === null
      ? {}
      : { redis: deps.rateLimitStore.redis, nameSpace: deps.rateLimitStore.prefix }),
  });
  await app.register(fastifySwagger, swaggerOptions);
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(metricsRoutes, { metrics: deps.metrics });
  await app.register(loginRoutes, { deps, options });
  await app.register(meRoutes, { deps, options });
  await app.register(trustedBrowserRoutes, { deps });
  await app.register(officeRoutes, { deps });
  await app.register(complianceRoutes, { deps });
  await app.register(reenrollmentRoutes, { deps });
  await app.register(supportRoutes, { deps });
  await app.register(supportRequestRoutes, { deps });
  await app.register(freezeRoutes, { deps, options });
  await app.register(platformRoutes, { deps });
  await app.register(importRoutes, { deps });
  await app.register(auditRoutes, { deps });
  await app.register(checkpointRoutes, { deps });
  await app.register(webPages, { root: options.webRoot ?? defaultWebRoot });
  return app;
};
