import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePlatformKey } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemSchema } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam, roleField, usernameField } from '../schemas.ts';

const problems = {
  400: problemSchema,
  401: problemSchema,
  404: problemSchema,
  409: problemSchema,
  503: problemSchema,
};
const platformActor = { id: 'platform', role: 'platform' as const };

/** The platform, with its API key: provisioning and the login-requirements check. */
export const platformRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  app.addHook('onRequest', async (request) => requirePlatformKey(deps.platformApiKey, request));

  app.post(
    '/v1/platform/offices',
    {
      schema: {
        tags: ['platform'],
        summary: 'Register an office',
        security: [{ platformKey: [] }],
        body: z.object({ officeId: idParam.optional(), name: z.string().trim().min(1).max(200) }).strict(),
        response: { 201: z.object({ officeId: z.string() }), ...problems },
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
        security: [{ platformKey: [] }],
        body: z
          .object({
            userId: idParam.optional(),
            officeId: idParam,
            username: usernameField,
            password: z.string().min(8).max(1024),
            role: roleField,
          })
          .strict(),
        response: { 201: z.object({ userId: z.string(), username: z.string() }), ...problems },
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
        security: [{ platformKey: [] }],
        params: z.object({ userId: idParam }),
        body: z.object({ role: roleField }).strict(),
        response: { 200: z.object({ userId: z.string(), role: roleField }), ...problems },
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

  app.get(
    '/v1/platform/users/:userId/login-requirements',
    {
      schema: {
        tags: ['platform'],
        summary: 'What a login of this user must include after the password',
        security: [{ platformKey: [] }],
        params: z.object({ userId: idParam }),
        response: {
          200: z.object({ secondFactor: z.enum(['none', 'required', 'enrollment-required']) }),
          ...problems,
          403: problemSchema.describe('account-frozen: refuse the login ("this wasn\'t me")'),
        },
      },
    },
    async (request) => deps.useCases.loginRequirements(request.params.userId),
  );
};
