import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maxPasswordLength, minPasswordLength } from '../../../application/password-policy.ts';
import type { Session } from '../../../application/ports/session-store.ts';
import type { EnrollmentAuth } from '../../../application/use-cases/enrollment/enrolling-user.ts';
import type { RequestContext } from '../../../application/use-cases/login/second-factor-step.ts';
import { recoveryCodesPerIssue } from '../../../domain/user-security/policy.ts';
import { requireSession } from '../authentication.ts';
import type { HttpDependencies, HttpOptions } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { codeField, passwordField, sessionUserSchema, tokenField } from '../schemas.ts';
import { issueSession } from '../session-cookie.ts';

const statusSchema = z
  .object({
    enabled: z.boolean(),
    enrolledAt: z.string().nullable(),
    requiredByOffice: z.boolean(),
    enforceFrom: z.string().nullable(),
    canDisable: z.boolean(),
    recoveryCodesLeft: z.number().int().min(0).max(recoveryCodesPerIssue),
    reenrollmentDeadline: z
      .string()
      .nullable()
      .describe("Set while the office's re-enrolment campaign asks for a new authenticator by then"),
  })
  .meta({ id: 'TwoFactorStatus' });
const recoveryCodesSchema = z
  .array(z.string())
  .length(recoveryCodesPerIssue)
  .describe('Shown once: each works once when the phone is lost');

/** A fresh proof that it is the user: a current code or the password. */
const proofBody = z.union([
  z.object({ code: codeField }).strict(),
  z.object({ password: passwordField }).strict(),
]);

/** A signed-in user's own 2FA; enrolment also accepts the challenge of a login held back for it. */
export const meRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies; options: HttpOptions }> = async (
  app,
  { deps, options },
) => {
  const enrollmentAuth = async (
    request: FastifyRequest,
    challenge: string | undefined,
  ): Promise<EnrollmentAuth> =>
    challenge === undefined
      ? { kind: 'session', session: (await requireSession(deps.sessions, request)).session }
      : { kind: 'challenge', challenge };

  /** A command of the signed-in user that keeps this session: 204 once the read models have it. */
  const noContentAfter = async <Body>(
    request: FastifyRequest & { body: Body },
    reply: FastifyReply,
    command: (
      session: Session,
      token: string,
      body: Body,
      context: RequestContext,
    ) => Promise<{ position: number | null }>,
  ) => {
    const { session, token } = await requireSession(deps.sessions, request);
    const { position } = await command(session, token, request.body, requestContext(request));
    await deps.waitForProjection(position);
    return reply.code(204).send(null);
  };

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Who is signed in',
        response: { 200: sessionUserSchema, ...problemResponses(401, 503) },
      },
    },
    async (request) => {
      const { userId, officeId, role, username } = (await requireSession(deps.sessions, request)).session;
      return { userId, officeId, role, username };
    },
  );

  app.get(
    '/v1/me/two-factor',
    {
      schema: {
        tags: ['me'],
        summary: 'My 2FA settings',
        response: { 200: statusSchema, ...problemResponses(401, 404, 503) },
      },
    },
    async (request) =>
      deps.useCases.twoFactorStatus((await requireSession(deps.sessions, request)).session.userId),
  );

  app.post(
    '/v1/me/two-factor/enrollment',
    {
      schema: {
        tags: ['me'],
        summary: 'Start enrolling an authenticator app: QR code, otpauth URI and key for manual entry',
        description:
          'Signed in: send the current password as fresh proof. Held back at login: send the enrollment-required challenge instead.',
        body: z.object({ password: passwordField.optional(), challenge: tokenField.optional() }).strict(),
        response: {
          200: z
            .object({
              enrollmentId: z.string(),
              otpauthUri: z.string(),
              secret: z.string().describe('Base32 key for typing into the app by hand'),
              qr: z.object({ pngDataUrl: z.string(), svg: z.string() }),
              expiresAt: z.string(),
            })
            .meta({ id: 'Enrollment' }),
          ...problemResponses(400, 401, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const auth = await enrollmentAuth(request, request.body.challenge);
      const { position, ...started } = await deps.useCases.startEnrollment(
        auth,
        request.body,
        requestContext(request),
      );
      await deps.waitForProjection(position);
      reply.header('cache-control', 'no-store');
      return started;
    },
  );

  app.post(
    '/v1/me/two-factor/enrollment/confirm',
    {
      schema: {
        tags: ['me'],
        summary: 'Register two-factor authentication: confirm with a code from the app',
        body: z
          .object({
            enrollmentId: z.string().min(1).max(100),
            code: codeField,
            challenge: tokenField.optional(),
          })
          .strict(),
        response: {
          200: z
            .object({
              recoveryCodes: recoveryCodesSchema,
              session: z.string().nullable().describe('Set when enrolling finished a held-back login'),
              user: sessionUserSchema.nullable(),
            })
            .meta({ id: 'EnrollmentConfirmed' }),
          ...problemResponses(400, 401, 404, 409, 410, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const auth = await enrollmentAuth(request, request.body.challenge);
      const result = await deps.useCases.confirmEnrollment(auth, request.body, requestContext(request));
      await deps.waitForProjection(result.position);
      reply.header('cache-control', 'no-store');
      const issued =
        result.session === null
          ? { session: null, user: null }
          : issueSession(reply, result.session, options);
      return { recoveryCodes: result.recoveryCodes, ...issued };
    },
  );

  app.delete(
    '/v1/me/two-factor',
    {
      schema: {
        tags: ['me'],
        summary: 'Disable two-factor authentication (refused while the office requires it)',
        body: proofBody,
        response: { 204: z.null().describe('Disabled'), ...problemResponses(400, 401, 403, 409, 429, 503) },
      },
    },
    async (request, reply) => noContentAfter(request, reply, deps.useCases.disableTwoFactor),
  );

  app.put(
    '/v1/me/password',
    {
      config: { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['me'],
        summary: 'Change my password: the current one, and a current code when 2FA is on; other sessions end',
        description: `The new password needs ${minPasswordLength} to ${maxPasswordLength} characters and must not be one of the most common passwords.`,
        body: z
          .object({ currentPassword: passwordField, newPassword: passwordField, code: codeField.optional() })
          .strict(),
        response: { 204: z.null().describe('Changed'), ...problemResponses(400, 401, 429, 503) },
      },
    },
    async (request, reply) => noContentAfter(request, reply, deps.useCases.changeOwnPassword),
  );

  app.post(
    '/v1/me/two-factor/recovery-codes',
    {
      schema: {
        tags: ['me'],
        summary: 'Replace my recovery codes (shown once; the old ones stop working)',
        body: proofBody,
        response: {
          200: z.object({ recoveryCodes: recoveryCodesSchema }),
          ...problemResponses(400, 401, 409, 429, 503),
        },
      },
    },
    async (request) => {
      const { session } = await requireSession(deps.sessions, request);
      const result = await deps.useCases.regenerateRecoveryCodes(
        session,
        request.body,
        requestContext(request),
      );
      await deps.waitForProjection(result.position);
      return { recoveryCodes: result.recoveryCodes };
    },
  );
};
