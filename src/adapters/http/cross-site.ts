import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { bearerHeaderToken } from './authentication.ts';
import { RequestRefused } from './problems.ts';

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `scheme://host[:port]` as browsers write an Origin (lower case, no default port), or null. */
const originOf = (text: string): string | null => (URL.canParse(text) ? new URL(text).origin : null);

/**
 * Whether the browser that sent the request says it comes from this service's own origin (its Host and
 * protocol, as a trusted proxy reports them) or from one of `allowed`. Browsers send `Origin` with every
 * POST, PUT, PATCH and DELETE; `Sec-Fetch-Site` stands in where an old one leaves it out. A request with
 * neither header comes from no browser, so no other site can have made it: it passes.
 */
const fromAllowedOrigin = (request: FastifyRequest, allowed: ReadonlySet<string>): boolean => {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const claimed = originOf(origin);
    return (
      claimed !== null &&
      (claimed === originOf(`${request.protocol}://${request.host}`) || allowed.has(claimed))
    );
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  return true;
};

/**
 * Refuses (403 `cross-site-request`) a state-changing request another site's page may have made: one
 * without a bearer header or the platform's API key (headers no page of another origin can set without a
 * CORS preflight, which only CORS_ORIGINS pass), so one authenticated by the session cookie, or a login
 * that would set it (login CSRF), whose Origin is neither this service nor one of CORS_ORIGINS. A second
 * layer under SameSite=Strict and closed CORS, and the only one against other origins of the same site.
 */
export const refuseCrossSiteRequests = (corsOrigins: readonly string[]): onRequestHookHandler => {
  const allowed = new Set(corsOrigins.map(originOf).filter((origin) => origin !== null));
  // Answers through `done` rather than a promise: this hook runs on every request.
  return (request, _reply, done) => {
    if (
      !stateChanging.has(request.method) ||
      bearerHeaderToken(request) !== null ||
      request.headers['x-api-key'] !== undefined ||
      fromAllowedOrigin(request, allowed)
    ) {
      done();
      return;
    }
    done(
      new RequestRefused('cross-site-request', 'Changes are accepted from this service’s own pages only.'),
    );
  };
};
