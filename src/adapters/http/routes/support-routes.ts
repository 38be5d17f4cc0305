import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../../domain/shared/actor.ts';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam, roleField, usernameField } from '../schemas.ts';

const problems = problemResponses(400, 401, 403, 404, 503);
/** A reset, temporary access or erasure: also 409 when the same request already awaits approval. */
const problemsOfAnAction = problemResponses(400, 401, 403, 404, 409, 503);
/** Ending a temporary access or lifting a freeze also answers 409 when there is none to end. */
const problemsOfAState = problemResponses(400, 401, 403, 404, 409, 503);

/** SUPPORT_APPROVAL=required: the action waits for a second support agent (POST …/approval). */
export const awaitingApprovalSchema = z
  .object({
    userId: z.string(),
    requestId: z.string(),
    status: z.literal('awaiting-approval'),
    expiresAt: z.string().describe('Another support agent must approve before then'),
  })
  .meta({ id: 'SupportRequestAccepted' });

const supportBody = z
  .object({ reason: z.string().trim().min(1).max(1000), ticket: z.string().trim().min(1).max(200) })
  .strict();

/**
 * Support: find a user, reset a lost authenticator or give temporary access in its place, lift a
 * freeze, erase a user on request.
 */
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
              frozen: z.boolean().describe('Frozen by the user ("this wasn\'t me"): only support lifts it'),
              temporaryAccessUntil: z.string().nullable().describe('Deadline of an open temporary access'),
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
        body: supportBody,
        response: {
          200: z.object({
            userId: z.string(),
            nextLogin: z
              .enum(['enrollment-required', 'password-only'])
              .describe('What the user meets at their next login'),
          }),
          202: awaitingApprovalSchema,
          ...problemsOfAnAction,
        },
      },
    },
    async (request, reply) => {
      const actor = await supportActor(deps, request);
      const { userId } = request.params;
      const result = await deps.useCases.supportReset(
        actor,
        { userId, ...request.body },
        requestContext(request),
      );
      await deps.waitForProjection(result.position);
      if (result.status === 'awaiting-approval') return reply.code(202).send(awaiting(userId, result));
      return { userId, nextLogin: result.nextLogin };
    },
  );

  app.post(
    '/v1/support/users/:userId/erasure',
    {
      schema: {
        tags: ['support'],
        summary: 'Erase a user on request: their data key is deleted, the history stays and reads "[erased]"',
        params: z.object({ userId: idParam }),
        body: supportBody,
        response: {
          200: z.object({ userId: z.string(), erasedAt: z.string() }),
          202: awaitingApprovalSchema,
          ...problemsOfAnAction,
        },
      },
    },
    async (request, reply) => {
      const actor = await supportActor(deps, request);
      const { userId } = request.params;
      const result = await deps.useCases.supportErasure(
        actor,
        { userId, ...request.body },
        requestContext(request),
      );
      await deps.waitForProjection(result.position);
      if (result.status === 'awaiting-approval') return reply.code(202).send(awaiting(userId, result));
      return { userId: result.userId, erasedAt: result.erasedAt };
    },
  );

  app.post(
    '/v1/support/users/:userId/temporary-access',
    {
      schema: {
        tags: ['support'],
        summary:
          'Give a user who lost their authenticator a temporary code for logging in (shown once); ends their sessions',
        params: z.object({ userId: idParam }),
        body: supportBody,
        response: {
          201: z.object({
            userId: z.string(),
            code: z.string().describe('Read it to the user; it is not shown again'),
            expiresAt: z.string(),
          }),
          202: awaitingApprovalSchema,
          ...problemsOfAnAction,
        },
      },
    },
    async (request, reply) => {
      const actor = await supportActor(deps, request);
      const { userId } = request.params;
      const result = await deps.useCases.issueTemporaryAccess(
        actor,
        { userId, ...request.body },
        requestContext(request),
      );
      await deps.waitForProjection(result.position);
      if (result.status === 'awaiting-approval') return reply.code(202).send(awaiting(userId, result));
      return reply.code(201).send({ userId, code: result.code, expiresAt: result.expiresAt });
    },
  );

  /** A support action answered with the user's id once its events are projected. */
  const userAction = (
    path: string,
    summary: string,
    run: (
      actor: Actor,
      input: { userId: string; reason: string; ticket: string },
      request: ReturnType<typeof requestContext>,
    ) => Promise<{ position: number | null }>,
  ) =>
    app.post(
      path,
      {
        schema: {
          tags: ['support'],
          summary,
          params: z.object({ userId: idParam }),
          body: supportBody,
          response: { 200: z.object({ userId: z.string() }), ...problemsOfAState },
        },
      },
      async (request) => {
        const actor = await supportActor(deps, request);
        const { userId } = request.params;
        const result = await run(actor, { userId, ...request.body }, requestContext(request));
        await deps.waitForProjection(result.position);
        return { userId };
      },
    );

  userAction(
    '/v1/support/users/:userId/temporary-access/end',
    "End a user's temporary access before its deadline",
    deps.useCases.endTemporaryAccess,
  );
  userAction(
    '/v1/support/users/:userId/unfreeze',
    'Lift a freeze the user set ("this wasn\'t me") after checking with them',
    deps.useCases.unfreezeAccount,
  );
};

const awaiting = (userId: string, result: { requestId: string; expiresAt: string }) => ({
  userId,
  requestId: result.requestId,
  status: 'awaiting-approval' as const,
  expiresAt: result.expiresAt,
});

export const supportActor = async (deps: HttpDependencies, request: FastifyRequest) => {
  const { session } = await requireRole(deps.sessions, request, ['support']);
  return { id: session.userId, role: session.role, officeId: session.officeId };
};
