import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../application/use-cases/login/second-factor-step.ts';

/** The request facts every event records: correlation id, client IP and user agent. */
export const requestContext = (request: FastifyRequest): RequestContext => {
  const correlation = request.headers['x-correlation-id'];
  const userAgent = request.headers['user-agent'];
  return {
    correlationId:
      typeof correlation === 'string' && /^[\w.:-]{1,100}$/.test(correlation) ? correlation : request.id,
    clientIp: request.ip,
    ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 300) } : {}),
  };
};
