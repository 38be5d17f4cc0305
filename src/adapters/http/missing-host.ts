import type { FastifyInstance } from 'fastify';

/**
 * Refuses an HTTP/1.1 request without `Host` (RFC 9112 §3.2) with 400 problem+json. Node's own check
 * (`requireHostHeader`, turned off in buildApp) answers an empty 400 that no client can read as a problem.
 */
export const refuseRequestsWithoutHost = (app: FastifyInstance): void => {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion !== '1.1' || request.headers.host !== undefined) return done();
    reply.code(400).header('connection', 'close').type('application/problem+json').send({
      type: 'urn:second-factor:problem:missing-host',
      title: 'Missing Host',
      status: 400,
      detail: 'An HTTP/1.1 request must name its Host.',
      code: 'missing-host',
      instance: request.id,
    });
  });
};
