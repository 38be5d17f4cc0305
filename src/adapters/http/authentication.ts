import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApplicationError } from '../../application/application-error.ts';
import type { Session, SessionStore } from '../../application/ports/session-store.ts';
import type { UserRole } from '../../domain/shared/actor.ts';
import { DomainError } from '../../domain/shared/domain-error.ts';

/** The token of an `Authorization: Bearer …` header, or null. */
export const bearerHeaderToken = (request: FastifyRequest): string | null => {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.toLowerCase().startsWith('bearer ')) return null;
  const token = header.slice(7).trim();
  return token === '' ? null : token;
};

/** The token of the session cookie in force for this request (see session-cookie.ts), or null. */
export const cookieToken = (request: FastifyRequest): string | null => {
  const cookie = request.cookies?.[request.sessionCookie.name];
  return typeof cookie === 'string' && cookie !== '' ? cookie : null;
};

/** The session token of a request, from `Authorization: Bearer …` or else the session cookie. */
export const bearerToken = (request: FastifyRequest): string | null =>
  request.headers.authorization?.toLowerCase().startsWith('bearer ') === true
    ? bearerHeaderToken(request)
    : cookieToken(request);

export type Authenticated = { session: Session; token: string };

/** The live session of the request, or a 401. */
export const requireSession = async (
  sessions: SessionStore,
  request: FastifyRequest,
): Promise<Authenticated> => {
  const token = bearerToken(request);
  const session = token === null ? null : await sessions.getSession(token);
  if (token === null || session === null) throw new ApplicationError('unauthenticated', 'Sign in first.');
  return { session, token };
};

/** The live session of a user holding one of `roles`, or 401/403. */
export const requireRole = async (
  sessions: SessionStore,
  request: FastifyRequest,
  roles: readonly UserRole[],
): Promise<Authenticated> => {
  const authenticated = await requireSession(sessions, request);
  if (!roles.includes(authenticated.session.role))
    throw new DomainError('not-permitted', 'Your role may not do this.');
  return authenticated;
};

/** One-shot SHA-256 (`crypto.hash`): no Hash object per request, unlike createHash().update().digest(). */
const digest = (value: string): Buffer => hash('sha256', value, 'buffer');

/**
 * A check that refuses a request without the platform's API key (`X-Api-Key`), compared in constant
 * time against the key's digest, taken once.
 */
export const platformKeyCheck = (platformApiKey: string): ((request: FastifyRequest) => void) => {
  const expected = digest(platformApiKey);
  return (request) => {
    const given = request.headers['x-api-key'];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      throw new ApplicationError('unauthenticated', 'A valid X-Api-Key is required.');
    }
  };
};

/** platformKeyCheck as an onRequest hook that answers through `done`: no promise and microtask per request. */
export const platformKeyHook = (platformApiKey: string): onRequestHookHandler => {
  const requirePlatformKey = platformKeyCheck(platformApiKey);
  return (request, _reply, done) => {
    try {
      requirePlatformKey(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  };
};
