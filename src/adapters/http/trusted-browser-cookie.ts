import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IssuedBrowserTrust } from '../../application/trusted-browsers/new-browser-trust.ts';

/** The device token of a trusted browser over plain HTTP; `__Host-` when Secure, as the session cookie. */
export const plainTrustedBrowserCookieName = 'sf_trusted_browser';
export const secureTrustedBrowserCookieName = '__Host-sf_trusted_browser';

const cookieNameOf = (request: FastifyRequest) =>
  request.sessionCookie.secure ? secureTrustedBrowserCookieName : plainTrustedBrowserCookieName;

/** A token the service could have issued: 32 random bytes in base64url. Anything else is no token. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

/** The device token this browser holds, or undefined. */
export const deviceTokenOf = (request: FastifyRequest): string | undefined => {
  const value = request.cookies?.[cookieNameOf(request)];
  return value !== undefined && tokenShape.test(value) ? value : undefined;
};

/** Hands the device token to the browser only: HttpOnly, SameSite=Strict, Secure as the session cookie. */
export const issueTrustedBrowserCookie = (reply: FastifyReply, trust: IssuedBrowserTrust, now: Date) => {
  const maxAge = Math.max(0, Math.floor((new Date(trust.expiresAt).getTime() - now.getTime()) / 1000));
  reply.setCookie(cookieNameOf(reply.request), trust.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: reply.request.sessionCookie.secure,
    path: '/',
    maxAge,
  });
  return { browserId: trust.browserId, expiresAt: trust.expiresAt };
};

export const clearTrustedBrowserCookie = (reply: FastifyReply) =>
  reply.clearCookie(cookieNameOf(reply.request), {
    path: '/',
    secure: reply.request.sessionCookie.secure,
    httpOnly: true,
    sameSite: 'strict',
  });
