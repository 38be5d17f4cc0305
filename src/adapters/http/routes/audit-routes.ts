import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportCheckpointSchema } from '../../../application/audit-chain/checkpoints.ts';
import { recoveryCodesPerIssue } from '../../../domain/user-security/policy.ts';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { countField, idParam, revisionField } from '../schemas.ts';

const readers = ['auditor', 'support'] as const;
const problems = problemResponses(400, 401, 403, 503);
const problemsOfOne = problemResponses(400, 401, 403, 404, 503);
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

const filterQuery = z.object({
  userId: idParam.optional(),
  officeId: idParam.optional(),
  type: z.string().max(100).optional(),
  from: instant.optional(),
  to: instant.optional(),
});

const auditActorSchema = z.object({ id: z.string(), role: z.string(), officeId: z.string().optional() });

const auditEventSchema = z
  .object({
    position: revisionField,
    streamId: z.string(),
    revision: revisionField,
    type: z.string(),
    occurredAt: z.string(),
    actor: auditActorSchema,
    approvedBy: auditActorSchema
      .optional()
      .describe('Under four-eyes: the second support agent, who approved what the actor asked for'),
    correlationId: z.string(),
    causationId: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent', description: 'One event of the history, without ciphertexts or hashes' });

const signedExportCheckpointSchema = z
  .object({ checkpoint: exportCheckpointSchema, signature: z.string() })
  .meta({ id: 'SignedExportCheckpoint', description: 'Covers exactly the lines before it; verify offline' });

/** Auditors (and support): the event history, an export of it, and any state at any past moment. */
export const auditRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  app.get(
    '/v1/audit/events',
    {
      schema: {
        tags: ['audit'],
        summary: 'The event history, oldest first, filtered; `next` continues it',
        querystring: filterQuery.extend({
          after: z
            .string()
            .regex(/^\d{1,15}$/)
            .optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z
            .object({ items: z.array(auditEventSchema), next: z.string().nullable() })
            .meta({ id: 'AuditEventPage' }),
          ...problems,
        },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, readers);
      const { after, limit, ...filter } = request.query;
      return deps.useCases.auditEvents(filter, { after: after === undefined ? 0 : Number(after), limit });
    },
  );

  app.get(
    '/v1/audit/verification',
    {
      schema: {
        tags: ['audit'],
        summary:
          "Check one stream's hash chain (user-<id>, user-security-<id>, office-<id>, username-<name>)",
        querystring: z.object({ streamId: z.string().min(1).max(300) }),
        response: {
          200: z.object({
            streamId: z.string(),
            eventsChecked: countField,
            intact: z.boolean(),
            firstBroken: z
              .object({
                revision: revisionField,
                position: revisionField.nullable(),
                reason: z.string(),
              })
              .nullable(),
          }),
          ...problems,
        },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, readers);
      const { streamId } = request.query;
      const report = await deps.useCases.verifyStreamChain(streamId);
      const first = report.broken[0];
      return {
        streamId,
        eventsChecked: report.eventsChecked,
        intact: first === undefined,
        firstBroken:
          first === undefined
            ? null
            : { revision: first.revision, position: first.position, reason: first.reason },
      };
    },
  );

  app.get(
    '/v1/audit/events/export',
    {
      schema: {
        tags: ['audit'],
        summary:
          'The whole filtered history as NDJSON (one event per line), streamed; the last line is a signed checkpoint over the lines before it',
        querystring: filterQuery,
        response: {
          200: {
            description: 'One AuditEvent (JSON) per line; the last line is the signed export checkpoint',
            content: {
              'application/x-ndjson': { schema: z.union([auditEventSchema, signedExportCheckpointSchema]) },
            },
          },
          ...problems,
        },
      },
    },
    async (request, reply) => {
      await requireRole(deps.sessions, request, readers);
      reply.header('content-disposition', 'attachment; filename="audit-events.ndjson"');
      // The typed reply knows the JSON shape of one line; the stream of lines is sent as it is.
      return reply
        .type('application/x-ndjson')
        .send(Readable.from(deps.useCases.signedAuditExport(request.query)) as never);
    },
  );

  app.get(
    '/v1/audit/users/:userId/two-factor',
    {
      schema: {
        tags: ['audit'],
        summary: "A user's 2FA state at a moment (now when `at` is left out)",
        params: z.object({ userId: idParam }),
        querystring: z.object({ at: instant.optional() }),
        response: {
          200: z.object({
            userId: z.string(),
            at: z.string(),
            enabled: z.boolean(),
            enrolledAt: z.string().nullable(),
            pendingEnrollment: z.boolean(),
            lockedUntil: z.string().nullable(),
            recoveryCodesLeft: z.number().int().min(0).max(recoveryCodesPerIssue),
            temporaryAccessUntil: z
              .string()
              .nullable()
              .describe('Deadline of a temporary access code open at that moment'),
            frozen: z.boolean().describe('Frozen by the user ("this wasn\'t me") at that moment'),
          }),
          ...problemsOfOne,
        },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, readers);
      return deps.useCases.userTwoFactorAt(
        request.params.userId,
        request.query.at ?? deps.clock.now().toISOString(),
      );
    },
  );

  app.get(
    '/v1/audit/offices/:officeId/two-factor-policy',
    {
      schema: {
        tags: ['audit'],
        summary: "An office's 2FA requirement at a moment (now when `at` is left out)",
        params: z.object({ officeId: idParam }),
        querystring: z.object({ at: instant.optional() }),
        response: {
          200: z.object({
            officeId: z.string(),
            at: z.string(),
            required: z.boolean(),
            enforceFrom: z.string().nullable(),
          }),
          ...problemsOfOne,
        },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, readers);
      return deps.useCases.officePolicyAt(
        request.params.officeId,
        request.query.at ?? deps.clock.now().toISOString(),
      );
    },
  );
};
