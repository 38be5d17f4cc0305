import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { healthRoutes, type ReadinessCheck } from './health-routes.ts';

export type HttpOptions = {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
};

export type AppDependencies = {
  logger: FastifyBaseLogger;
  readiness: ReadinessCheck;
};

/** Builds the Fastify app from its dependencies; listening is the caller's business. */
export const buildApp = async (deps: AppDependencies, options: HttpOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    genReqId: () => crypto.randomUUID(),
  });
  await app.register(healthRoutes, { readiness: deps.readiness });
  return app;
};
