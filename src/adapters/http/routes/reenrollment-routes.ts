import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../../domain/shared/actor.ts';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam } from '../schemas.ts';
import { instantQuery } from './compliance-routes.ts';

const campaignSchema = z
  .object({
    officeId: z.string(),
    reenrollment: z.object({ startedAt: z.string(), deadline: z.string(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'OfficeReenrollment' });

/**
 * Re-enrolment campaigns: an office admin (own office) or support (any office) makes every member with
 * an enrolment older than the campaign enrol a new authenticator by a deadline, or ends it.
 * The decider checks the office; this only asks for a session in one of the two roles.
 */
export const reenrollmentRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (
  app,
  { deps },
) => {
  const actorOf = async (request: FastifyRequest): Promise<Actor> => {
    const { session } = await requireRole(deps.sessions, request, ['office-admin', 'support']);
    return { id: session.userId, role: session.role, officeId: session.officeId };
  };
  const answer = async (officeId: string, position: number | null) => {
    await deps.waitForProjection(position);
    const policy = await deps.useCases.officePolicy(officeId);
    return { officeId, reenrollment: policy.reenrollment ?? null };
  };

  app.post(
    '/v1/offices/:officeId/reenrollment',
    {
      schema: {
        tags: ['office'],
        summary: 'Require every member to enrol a new authenticator by a deadline',
        description:
          'Enrolments made before now become due: until the deadline logins go on with a reminder, from it the owner enrols again before getting a session.',
        params: z.object({ officeId: idParam }),
        body: z.object({ deadline: instantQuery, reason: z.string().min(1).max(1000) }).strict(),
        response: { 200: campaignSchema, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      const { officeId } = request.params;
      const { position } = await deps.useCases.requireReenrollment(
        actor,
        { officeId, deadline: request.body.deadline, reason: request.body.reason },
        requestContext(request),
      );
      return answer(officeId, position);
    },
  );

  app.delete(
    '/v1/offices/:officeId/reenrollment',
    {
      schema: {
        tags: ['office'],
        summary: 'End the re-enrolment campaign (early, or after its deadline)',
        params: z.object({ officeId: idParam }),
        response: { 200: campaignSchema, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const actor = await actorOf(request);
      const { officeId } = request.params;
      const { position } = await deps.useCases.endReenrollment(actor, officeId, requestContext(request));
      return answer(officeId, position);
    },
  );
};
