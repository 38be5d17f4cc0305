import type { FastifyPluginAsync } from 'fastify';
import type { HttpMetrics } from './dependencies.ts';

/** Prometheus scrape endpoint; meant for the internal network, like /readyz. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: HttpMetrics }> = async (app, { metrics }) => {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );
};
