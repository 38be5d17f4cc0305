import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { refuseCrossSiteRequests } from './cross-site.ts';
import type { HttpOptions } from './dependencies.ts';
import { refuseRequestsWithoutHost } from './missing-host.ts';
import { decorateSessionCookie } from './session-cookie.ts';

/**
 * What every request passes before its route: a Host, CORS (closed unless CORS_ORIGINS names origins),
 * cookies and the session cookie in force, and the cross-site check of state-changing requests.
 */
export const requestGuards = async (
  app: FastifyInstance,
  options: Pick<HttpOptions, 'corsOrigins' | 'cookieSecurity'>,
): Promise<void> => {
  refuseRequestsWithoutHost(app);
  await app.register(fastifyCors, {
    origin: options.corsOrigins.length === 0 ? false : options.corsOrigins,
    credentials: true,
  });
  await app.register(fastifyCookie);
  decorateSessionCookie(app, options.cookieSecurity);
  app.addHook('onRequest', refuseCrossSiteRequests(options.corsOrigins));
};
