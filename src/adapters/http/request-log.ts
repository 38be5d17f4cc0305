import type { FastifyInstance } from 'fastify';
import type { HttpMetrics } from './dependencies.ts';
import { correlationIdOf } from './request-context.ts';

/**
 * One structured line per request, written when the answer is sent (Fastify's own two lines are off),
 * and the request's latency in the metrics. The line holds the route pattern, never the URL, and no
 * header or body, so no secret reaches it. `sample` (0..1) keeps that share of the lines of answers
 * below 500; a 5xx is always written, and its error is logged where it is mapped (problems.ts).
 */
export const requestLog = (app: FastifyInstance, metrics: HttpMetrics, sample: number): void => {
  // The line's fields are fixed above and none is secret, so it skips the logger's redaction (which
  // walks every object for its wildcard paths: half of the line's cost). Other lines keep it.
  const lines = app.log.child({}, { redact: [] });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.observeRequest(route, request.method, status, ms / 1000);
    if (status >= 500 || sample >= 1 || (sample > 0 && Math.random() < sample)) {
      lines.info(
        {
          reqId: request.id,
          method: request.method,
          route,
          status,
          ms: Math.round(ms * 100) / 100,
          correlationId: correlationIdOf(request),
        },
        'request',
      );
    }
    done();
  });
};
