import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApplicationError } from '../../../application/application-error.ts';
import type { OfficePolicyView } from '../../../application/ports/read-models.ts';
import { isOfficeAdminOf } from '../../../domain/shared/actor.ts';
import { maxTrustBrowserDays } from '../../../domain/shared/browser-trust.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { idParam, revisionField, roleField } from '../schemas.ts';

const policySchema = z
  .object({
    officeId: z.string(),
    name: z.string(),
    required: z.boolean(),
    enforceFrom: z.string().nullable(),
    trustBrowserDays: z
      .number()
      .int()
      .min(0)
      .max(maxTrustBrowserDays)
      .describe('Days a browser trusted after a second factor skips the code; 0: off'),
    revision: revisionField,
  })
  .meta({ id: 'OfficePolicy' });

const etagOf = (revision: number) => `"${revision}"`;

const parseIfMatch = (header: string | undefined): number | null => {
  if (header === undefined) return null;
  const match = /^\s*(?:W\/)?"?(-?\d{1,15})"?\s*$/.exec(header);
  if (match === null)
    throw new ApplicationError('revision-mismatch', 'If-Match must be the ETag of the policy.');
  return Number(match[1]);
};

/** Office admins: their own office's 2FA requirement and who has enrolled. */
export const officeRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  const adminOf = async (request: FastifyRequest, officeId: string) => {
    const { session } = await requireRole(deps.sessions, request, ['office-admin']);
    const actor = { id: session.userId, role: session.role, officeId: session.officeId };
    if (!isOfficeAdminOf(actor, officeId))
      throw new DomainError('not-permitted', 'You administer another office.');
    return actor;
  };
  const sendPolicy = (reply: FastifyReply, policy: OfficePolicyView) => {
    reply.header('etag', etagOf(policy.revision));
    return { ...policy, trustBrowserDays: policy.trustBrowserDays ?? 0 };
  };

  app.get(
    '/v1/offices/:officeId/two-factor-policy',
    {
      schema: {
        tags: ['office'],
        summary: "The office's 2FA requirement (ETag = its revision)",
        params: z.object({ officeId: idParam }),
        response: { 200: policySchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
      config: { sendsEtag: true },
    },
    async (request, reply) => {
      await adminOf(request, request.params.officeId);
      return sendPolicy(reply, await deps.useCases.officePolicy(request.params.officeId));
    },
  );

  app.put(
    '/v1/offices/:officeId/two-factor-policy',
    {
      schema: {
        tags: ['office'],
        summary:
          'Require two-factor authentication for the office, or lift the requirement; set browser trust',
        description:
          'Send If-Match with the ETag you read to refuse the change (412) when another admin changed it meanwhile.',
        params: z.object({ officeId: idParam }),
        headers: z.object({ 'if-match': z.string().max(40).optional() }),
        body: z
          .object({
            required: z.boolean(),
            enforceFrom: z.iso
              .datetime({ offset: true })
              // An offset can push the instant into year -1 or 10000, which no stored instant may hold.
              .refine((value) => {
                const year = new Date(value).getUTCFullYear();
                return year >= 0 && year <= 9999;
              }, 'must lie in the years 0000 to 9999 in UTC')
              .nullable()
              .optional(),
            trustBrowserDays: z
              .number()
              .int()
              .min(0)
              .max(maxTrustBrowserDays)
              .optional()
              .describe('Lowering it ends trusts older than the new limit; left out: unchanged'),
          })
          .strict(),
        response: { 200: policySchema, ...problemResponses(400, 401, 403, 404, 409, 412, 503) },
      },
    },
    async (request, reply) => {
      const actor = await adminOf(request, request.params.officeId);
      const enforceFrom =
        request.body.required && request.body.enforceFrom
          ? new Date(request.body.enforceFrom).toISOString()
          : null;
      const { position } = await deps.useCases.setOfficePolicy(
        actor,
        {
          officeId: request.params.officeId,
          required: request.body.required,
          enforceFrom,
          ...(request.body.trustBrowserDays === undefined
            ? {}
            : { trustBrowserDays: request.body.trustBrowserDays }),
        },
        parseIfMatch(request.headers['if-match']),
        requestContext(request),
      );
      await deps.waitForProjection(position);
      return sendPolicy(reply, await deps.useCases.officePolicy(request.params.officeId));
    },
  );

  app.get(
    '/v1/offices/:officeId/members',
    {
      schema: {
        tags: ['office'],
        summary: 'Members of the office with their 2FA status, by username',
        params: z.object({ officeId: idParam }),
        querystring: z.object({
          after: z.string().max(300).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: {
          200: z
            .object({
              items: z.array(
                z
                  .object({
                    userId: z.string(),
                    username: z.string(),
                    role: roleField,
                    twoFactor: z.enum(['none', 'enrolled']),
                    enrolledAt: z.string().nullable(),
                  })
                  .meta({ id: 'OfficeMember' }),
              ),
              next: z.string().nullable(),
            })
            .meta({ id: 'OfficeMemberPage' }),
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      await adminOf(request, request.params.officeId);
      return deps.useCases.officeMembers(request.params.officeId, {
        after: request.query.after ?? null,
        limit: request.query.limit,
      });
    },
  );
};
