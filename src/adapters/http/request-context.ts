import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../application/use-cases/login/second-factor-step.ts';

/** The caller's `X-Correlation-Id` when it is well-formed, else the request id. */
export const correlationIdOf = (request: FastifyRequest): string => {
  const correlation = request.headers['x-correlation-id'];
  return typeof correlation === 'string' && /^[\w.:-]{1,100}$/.test(correlation) ? correlation : request.id;
};

/** The request facts every event records: correlation id, client IP and user agent. */
export const requestContext = (request: FastifyRequest): RequestContext => {
  const userAgent = request.headers['user-agent'];
  return {
    correlationId: correlationIdOf(request),
    clientIp: request.ip,
    ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 300) } : {}),
  };
};
