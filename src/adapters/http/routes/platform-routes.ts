import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { platformKeyHook } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses, problemSchema } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam, passwordField, roleField, usernameField } from '../schemas.ts';

const platformActor = { id: 'platform', role: 'platform' as const };

/** The platform, with its API key: provisioning and the login-requirements check. */
export const platformRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  app.addHook('onRequest', platformKeyHook(deps.platformApiKey));

  app.post(
    '/v1/platform/offices',
    {
      schema: {
        tags: ['platform'],
        summary: 'Register an office',
        body: z.object({ officeId: idParam.optional(), name: z.string().trim().min(1).max(200) }).strict(),
        response: { 201: z.object({ officeId: z.string() }), ...problemResponses(400, 401, 409, 503) },
      },
    },
    async (request, reply) => {
      const { officeId, position } = await deps.useCases.registerOffice(
        platformActor,
        request.body,
        requestContext(request),
      );
      await deps.waitForProjection(position);
      return reply.code(201).send({ officeId });
    },
  );

  app.post(
    '/v1/platform/users',
    {
      schema: {
        tags: ['platform'],
        summary: 'Register a user in an office',
        body: z
          .object({
            userId: idParam.optional(),
            officeId: idParam,
            username: usernameField,
            password: passwordField,
            role: roleField,
          })
          .strict(),
        response: {
          201: z.object({ userId: z.string(), username: z.string() }),
          ...problemResponses(400, 401, 404, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const { userId, username, position } = await deps.useCases.registerUser(
        platformActor,
        request.body,
        requestContext(request),
      );
      await deps.waitForProjection(position);
      return reply.code(201).send({ userId, username });
    },
  );

  app.put(
    '/v1/platform/users/:userId/role',
    {
      schema: {
        tags: ['platform'],
        summary: "Change a user's role",
        params: z.object({ userId: idParam }),
        body: z.object({ role: roleField }).strict(),
        response: {
          200: z.object({ userId: z.string(), role: roleField }),
          ...problemResponses(400, 401, 404, 503),
        },
      },
    },
    async (request) => {
      const { position } = await deps.useCases.changeRole(
        platformActor,
        { userId: request.params.userId, role: request.body.role },
        requestContext(request),
      );
      await deps.waitForProjection(position);
      return { userId: request.params.userId, role: request.body.role };
    },
  );

  app.put(
    '/v1/platform/users/:userId/password',
    {
      schema: {
        tags: ['platform'],
        summary: "Set a user's password after the platform's own reset flow: their sessions end",
        params: z.object({ userId: idParam }),
        body: z.object({ password: passwordField }).strict(),
        response: { 204: z.null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { position } = await deps.useCases.setPassword(
        platformActor,
        { userId: request.params.userId, password: request.body.password },
        requestContext(request),
      );
      await deps.waitForProjection(position);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/platform/users/:userId/login-requirements',
    {
      schema: {
        tags: ['platform'],
        summary: 'What a login of this user must include after the password',
        params: z.object({ userId: idParam }),
        response: {
          200: z
            .object({ secondFactor: z.enum(['none', 'required', 'enrollment-required']) })
            .meta({ id: 'LoginRequirements' }),
          ...problemResponses(400, 401, 404, 503),
          403: problemSchema.describe('account-frozen: refuse the login ("this wasn\'t me")'),
        },
      },
    },
    // Not async: the use case's promise is answered as it is, one promise turn less on the hot path.
    (request) => deps.useCases.loginRequirements(request.params.userId),
  );
};
