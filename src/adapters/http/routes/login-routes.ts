import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApplicationError } from '../../../application/application-error.ts';
import type { IssuedBrowserTrust } from '../../../application/trusted-browsers/new-browser-trust.ts';
import { maxTrustBrowserDays } from '../../../domain/shared/browser-trust.ts';
import { normalizeUsername } from '../../../domain/user-account/username-events.ts';
import { bearerToken } from '../authentication.ts';
import type { HttpDependencies, HttpOptions } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import {
  authenticatedSchema,
  codeField,
  passwordField,
  reenrollmentDeadlineField,
  tokenField,
  usernameField,
} from '../schemas.ts';
import { clearSession, issueSession } from '../session-cookie.ts';
import { deviceTokenOf, issueTrustedBrowserCookie } from '../trusted-browser-cookie.ts';

const challengeAnswer = (status: 'second-factor-required' | 'enrollment-required') =>
  z.object({
    status: z.literal(status),
    challenge: z.string().describe('Single-use, short-lived; finishes this login only'),
  });

const secondFactorRequiredAnswer = challengeAnswer('second-factor-required').extend({
  trustBrowserDays: z
    .number()
    .int()
    .min(0)
    .max(maxTrustBrowserDays)
    .describe('Offer "trust this browser for N days" with the code (trustBrowser: true); 0: not offered'),
  reenrollmentDeadline: reenrollmentDeadlineField,
});
const trustBrowserField = z
  .boolean()
  .optional()
  .describe('With a right code or recovery code: trust this browser (a device token in an HttpOnly cookie)');

const problems = problemResponses(400, 401, 403, 429, 503);
const loginAnswerSchema = z
  .discriminatedUnion('status', [
    authenticatedSchema,
    secondFactorRequiredAnswer,
    challengeAnswer('enrollment-required'),
  ])
  .meta({ id: 'LoginAnswer', description: 'A session, or the challenge of the step still to come' });

/** Anyone: the two steps of a login, and logout. */
export const loginRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies; options: HttpOptions }> = async (
  app,
  { deps, options },
) => {
  app.addHook('onError', async (_request, _reply, error) => {
    const code = (error as { code?: unknown }).code;
    if (code === 'locked-out') deps.metrics.loginOutcome('locked-out');
    else if (
      ['invalid-credentials', 'invalid-code', 'invalid-challenge', 'too-many-attempts'].includes(String(code))
    )
      deps.metrics.loginOutcome('rejected');
  });

  /** The cookie once the read models have the trust, so the next login from this browser finds it. */
  const trustedBrowserAnswer = async (reply: FastifyReply, trust: IssuedBrowserTrust | undefined) => {
    if (trust === undefined) return {};
    await deps.waitForProjection(trust.position);
    return { trustedBrowser: issueTrustedBrowserCookie(reply, trust, deps.clock.now()) };
  };

  // Per account, from any IP; the per-IP limit is the route's own rate-limit config. A browser holding a
  // valid device token of the account counts on a bucket of its own (see loginThrottleBucket).
  const buckets = new WeakMap<object, string>();
  const perAccount = app.createRateLimit({
    max: options.loginRateLimitPerAccountPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) =>
      buckets.get(request) ??
      `account:${normalizeUsername(String((request.body as { username?: unknown }).username ?? ''))}`,
  });

  app.post(
    '/v1/login',
    {
      config: { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: 60_000 } },
      preHandler: async (request) => {
        const username = String((request.body as { username?: unknown }).username ?? '');
        buckets.set(request, await deps.useCases.loginThrottleBucket(username, deviceTokenOf(request)));
        const limit = await perAccount(request);
        if (!limit.isAllowed && limit.isExceeded) {
          throw new ApplicationError(
            'too-many-attempts',
            'Too many login attempts for this account; try again later.',
            {
              retryAfterSeconds: limit.ttlInSeconds,
            },
          );
        }
      },
      schema: {
        tags: ['login'],
        summary: 'Log in with username and password (and the code, when the form has it)',
        body: z.object({
          username: usernameField,
          password: passwordField,
          code: codeField.optional(),
          trustBrowser: trustBrowserField,
        }),
        response: {
          200: loginAnswerSchema,
          ...problems,
        },
      },
    },
    async (request, reply) => {
      const deviceToken = deviceTokenOf(request);
      const result = await deps.useCases.login(
        { ...request.body, ...(deviceToken === undefined ? {} : { deviceToken }) },
        requestContext(request),
      );
      deps.metrics.loginOutcome(result.status);
      if (result.status !== 'authenticated') return result;
      return {
        status: 'authenticated' as const,
        ...issueSession(reply, result.session, options),
        enrollmentDeadline: result.enrollmentDeadline,
        ...(await trustedBrowserAnswer(reply, result.trustedBrowser)),
        ...(result.viaTrustedBrowser === true ? { viaTrustedBrowser: true } : {}),
        ...(result.reenrollmentDeadline === null
          ? {}
          : { reenrollmentDeadline: result.reenrollmentDeadline }),
      };
    },
  );

  app.post(
    '/v1/login/second-factor',
    {
      config: { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['login'],
        summary: 'Finish a login with the 6-digit code, a recovery code or a temporary access code',
        body: z.union([
          z.object({ challenge: tokenField, code: codeField, trustBrowser: trustBrowserField }).strict(),
          z
            .object({
              challenge: tokenField,
              recoveryCode: z.string().max(64),
              trustBrowser: trustBrowserField,
            })
            .strict(),
        ]),
        response: {
          200: z.discriminatedUnion('status', [authenticatedSchema, challengeAnswer('enrollment-required')]),
          ...problems,
        },
      },
    },
    async (request, reply) => {
      const result = await deps.useCases.secondFactorStep(request.body, requestContext(request));
      deps.metrics.loginOutcome(result.status);
      if (result.status === 'enrollment-required') return result;
      return {
        status: 'authenticated' as const,
        ...issueSession(reply, result.session, options),
        enrollmentDeadline: null,
        ...(await trustedBrowserAnswer(reply, result.trustedBrowser)),
        ...(result.reenrollmentDeadline === null
          ? {}
          : { reenrollmentDeadline: result.reenrollmentDeadline }),
      };
    },
  );

  app.post(
    '/v1/logout',
    { schema: { tags: ['login'], summary: 'End this session', response: { 204: z.null() } } },
    async (request, reply) => {
      const token = bearerToken(request);
      if (token !== null) await deps.sessions.revokeSession(token);
      clearSession(reply);
      return reply.code(204).send(null);
    },
  );
};
