import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { supportActionSchema } from '../../../domain/support-request/events.ts';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam } from '../schemas.ts';
import { supportActor } from './support-routes.ts';

const agentSchema = z.object({ id: z.string(), role: z.string(), officeId: z.string().optional() });

const pendingRequestSchema = z
  .object({
    requestId: z.string(),
    action: supportActionSchema,
    userId: z.string(),
    username: z.string().nullable().describe('Null once the user is gone (erased meanwhile)'),
    reason: z.string(),
    ticket: z.string(),
    requestedBy: agentSchema.describe('Only another agent may approve'),
    requestedByUsername: z.string().nullable(),
    requestedAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'PendingSupportRequest' });

const about = { requestId: z.string(), userId: z.string() };
const approvedSchema = z
  .discriminatedUnion('action', [
    z.object({
      ...about,
      action: z.literal('two-factor-reset'),
      nextLogin: z.enum(['enrollment-required', 'password-only']),
    }),
    z.object({
      ...about,
      action: z.literal('temporary-access'),
      code: z.string().describe('Shown to the approving agent only, once: read it to the user'),
      expiresAt: z.string(),
    }),
    z.object({ ...about, action: z.literal('erasure'), erasedAt: z.string() }),
  ])
  .meta({ id: 'ApprovedSupportAction' });

const params = z.object({ requestId: idParam });
/** 403: not support, one's own request (approve) or another's (withdraw), a frozen account; 410: past its deadline. */
const problemsOfARequest = problemResponses(400, 401, 403, 404, 409, 410, 503);

/** Four-eyes (SUPPORT_APPROVAL=required): the requests waiting for a second support agent. */
export const supportRequestRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (
  app,
  { deps },
) => {
  app.get(
    '/v1/support/requests',
    {
      schema: {
        tags: ['support'],
        summary: 'Support actions awaiting a second agent (four-eyes), oldest first',
        response: {
          200: z.object({ items: z.array(pendingRequestSchema) }),
          ...problemResponses(401, 403, 503),
        },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, ['support']);
      return { items: await deps.useCases.pendingSupportRequests() };
    },
  );

  app.post(
    '/v1/support/requests/:requestId/approval',
    {
      schema: {
        tags: ['support'],
        summary: "Approve another agent's request: the action runs now (as asked, with you as approver)",
        params,
        response: { 200: approvedSchema, ...problemsOfARequest },
      },
    },
    async (request) => {
      const actor = await supportActor(deps, request);
      const approved = await deps.useCases.approveSupportRequest(
        actor,
        request.params.requestId,
        requestContext(request),
      );
      await deps.waitForProjection(approved.result.position);
      const { requestId, userId } = approved;
      switch (approved.action) {
        case 'two-factor-reset':
          return { requestId, userId, action: approved.action, nextLogin: approved.result.nextLogin };
        case 'temporary-access': {
          const { code, expiresAt } = approved.result;
          return { requestId, userId, action: approved.action, code, expiresAt };
        }
        case 'erasure':
          return { requestId, userId, action: approved.action, erasedAt: approved.result.erasedAt };
      }
    },
  );

  app.post(
    '/v1/support/requests/:requestId/withdrawal',
    {
      schema: {
        tags: ['support'],
        summary: 'Withdraw your own request before it is approved',
        params,
        response: { 200: z.object({ requestId: z.string() }), ...problemsOfARequest },
      },
    },
    async (request) => {
      const actor = await supportActor(deps, request);
      const { requestId } = request.params;
      const result = await deps.useCases.withdrawSupportRequest(actor, requestId, requestContext(request));
      await deps.waitForProjection(result.position);
      return { requestId };
    },
  );
};
