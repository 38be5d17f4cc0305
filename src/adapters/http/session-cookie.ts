import type { FastifyReply } from 'fastify';
import type { OpenedSession } from '../../application/open-session.ts';
import { sessionCookieName } from './authentication.ts';
import type { HttpOptions } from './dependencies.ts';

/** Set next to the session cookie; see issueSession. */
export const signedInCookieName = 'sf_signed_in';

/** Hands a new session to the browser as an HttpOnly cookie and to API clients in the body. */
export const issueSession = (reply: FastifyReply, opened: OpenedSession, options: HttpOptions) => {
  reply.setCookie(sessionCookieName, opened.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: options.secureCookies,
    path: '/',
    maxAge: options.sessionTtlSeconds,
  });
  // Readable by the pages, and no secret: it only tells them a session may exist, so a signed-out page
  // does not ask /v1/me for a 401 on every load.
  reply.setCookie(signedInCookieName, '1', {
    httpOnly: false,
    sameSite: 'strict',
    secure: options.secureCookies,
    path: '/',
    maxAge: options.sessionTtlSeconds,
  });
  const { userId, officeId, role, username } = opened.user;
  return { session: opened.token, user: { userId, officeId, role, username } };
};

export const clearSession = (reply: FastifyReply) =>
  reply.clearCookie(sessionCookieName, { path: '/' }).clearCookie(signedInCookieName, { path: '/' });
