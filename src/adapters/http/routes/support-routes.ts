import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam, roleField, usernameField } from '../schemas.ts';

const problems = problemResponses(400, 401, 403, 404, 503);

/** Support: find a user, reset a lost authenticator, erase a user on request. */
export const supportRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  app.get(
    '/v1/support/users',
    {
      schema: {
        tags: ['support'],
        summary: 'Find a user by username',
        querystring: z.object({ username: usernameField }),
        response: {
          200: z
            .object({
              userId: z.string(),
              username: z.string(),
              officeId: z.string(),
              role: roleField,
              twoFactor: z.enum(['none', 'enrolled']),
              enrolledAt: z.string().nullable(),
              lockedUntil: z.string().nullable(),
              officeRequiresTwoFactor: z.boolean(),
            })
            .meta({ id: 'SupportUser' }),
          ...problems,
        },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, ['support']);
      return deps.useCases.findUserForSupport(request.query.username);
    },
  );

  app.post(
    '/v1/support/users/:userId/two-factor-reset',
    {
      schema: {
        tags: ['support'],
        summary: "Reset a user's 2FA (lost authenticator): ends their sessions",
        params: z.object({ userId: idParam }),
        body: z
          .object({ reason: z.string().trim().min(1).max(1000), ticket: z.string().trim().min(1).max(200) })
          .strict(),
        response: {
          200: z.object({
            userId: z.string(),
            nextLogin: z
              .enum(['enrollment-required', 'password-only'])
              .describe('What the user meets at their next login'),
          }),
          ...problems,
        },
      },
    },
    async (request) => {
      const { session } = await requireRole(deps.sessions, request, ['support']);
      const actor = { id: session.userId, role: session.role, officeId: session.officeId };
      const result = await deps.useCases.supportReset(
        actor,
        { userId: request.params.userId, ...request.body },
        requestContext(request),
      );
      await deps.waitForProjection(result.position);
      return { userId: request.params.userId, nextLogin: result.nextLogin };
    },
  );

  app.post(
    '/v1/support/users/:userId/erasure',
    {
      schema: {
        tags: ['support'],
        summary: 'Erase a user on request: their data key is deleted, the history stays and reads "[erased]"',
        params: z.object({ userId: idParam }),
        body: z
          .object({ reason: z.string().trim().min(1).max(1000), ticket: z.string().trim().min(1).max(200) })
          .strict(),
        response: {
          200: z.object({ userId: z.string(), erasedAt: z.string() }),
          ...problems,
        },
      },
    },
    async (request) => {
      const { session } = await requireRole(deps.sessions, request, ['support']);
      const actor = { id: session.userId, role: session.role, officeId: session.officeId };
      const result = await deps.useCases.eraseUser(
        actor,
        { userId: request.params.userId, ...request.body },
        requestContext(request),
      );
      await deps.waitForProjection(result.position);
      return { userId: result.userId, erasedAt: result.erasedAt };
    },
  );
};
