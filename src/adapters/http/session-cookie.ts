import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpenedSession } from '../../application/open-session.ts';
import type { CookieSecurity, HttpOptions } from './dependencies.ts';

/** The session cookie over plain HTTP. */
export const plainSessionCookieName = 'sf_session';
/**
 * The session cookie when it is Secure: browsers take a `__Host-` cookie only when it is Secure, host-only
 * and for Path=/, so no sibling subdomain or plain-HTTP page can plant one.
 */
export const secureSessionCookieName = '__Host-sf_session';

export type SessionCookie = { name: string; secure: boolean };

declare module 'fastify' {
  interface FastifyRequest {
    /** The session cookie in force for this request: the only name read, and how it is set. */
    readonly sessionCookie: SessionCookie;
  }
}

/** Secure when configured so, or (`auto`) when the request came over TLS or a trusted proxy says so. */
export const sessionCookieOf = (request: FastifyRequest, security: CookieSecurity): SessionCookie => {
  const secure = security === 'always' || (security === 'auto' && request.protocol === 'https');
  return { name: secure ? secureSessionCookieName : plainSessionCookieName, secure };
};

/** Gives every request its `sessionCookie`. */
export const decorateSessionCookie = (app: FastifyInstance, security: CookieSecurity) =>
  app.decorateRequest('sessionCookie', {
    getter(this: FastifyRequest) {
      return sessionCookieOf(this, security);
    },
  });

/** Set next to the session cookie; see issueSession. */
export const signedInCookieName = 'sf_signed_in';

/** Hands a new session to the browser as an HttpOnly cookie and to API clients in the body. */
export const issueSession = (reply: FastifyReply, opened: OpenedSession, options: HttpOptions) => {
  const { name, secure } = reply.request.sessionCookie;
  reply.setCookie(name, opened.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge: options.sessionTtlSeconds,
  });
  // Readable by the pages, and no secret: it only tells them a session may exist, so a signed-out page
  // does not ask /v1/me for a 401 on every load.
  reply.setCookie(signedInCookieName, '1', {
    httpOnly: false,
    sameSite: 'strict',
    secure,
    path: '/',
    maxAge: options.sessionTtlSeconds,
  });
  const { userId, officeId, role, username } = opened.user;
  return { session: opened.token, user: { userId, officeId, role, username } };
};

export const clearSession = (reply: FastifyReply) => {
  const { name, secure } = reply.request.sessionCookie;
  return reply
    .clearCookie(name, { path: '/', secure, httpOnly: true, sameSite: 'strict' })
    .clearCookie(signedInCookieName, { path: '/', secure, sameSite: 'strict' });
};
