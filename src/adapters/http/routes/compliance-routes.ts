import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReportPage } from '../../../application/use-cases/compliance/compliance-rows.ts';
import { isOfficeAdminOf } from '../../../domain/shared/actor.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { requireRole } from '../authentication.ts';
import { complianceCsv } from '../compliance-csv.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { countField, idParam, roleField } from '../schemas.ts';

/** A moment as ISO 8601 with an offset, kept within the years a stored instant may hold. */
export const instantQuery = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 0 && year <= 9999;
  }, 'must lie in the years 0000 to 9999 in UTC')
  .transform((value) => new Date(value).toISOString());

const reenrollmentSchema = z
  .object({ startedAt: z.string(), deadline: z.string(), reason: z.string() })
  .meta({
    id: 'Reenrollment',
    description: 'A re-enrolment campaign: enrolments before startedAt are due by deadline',
  });

const rowSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    role: roleField,
    twoFactor: z.enum(['none', 'enrolled']),
    enrolledAt: z.string().nullable(),
    lastSecondFactorAt: z.string().nullable().describe('When a second factor last let the member in'),
    status: z.enum(['compliant', 'due', 'overdue', 'not-required']),
    deadline: z.string().nullable().describe('Due by (status due) or overdue since (status overdue)'),
  })
  .meta({ id: 'ComplianceRow' });

const reportSchema = z
  .object({
    officeId: z.string(),
    name: z.string(),
    at: z.string(),
    required: z.boolean(),
    enforceFrom: z.string().nullable(),
    reenrollment: reenrollmentSchema.nullable(),
    reenrollmentProgress: z.object({ renewed: countField, remaining: countField }).nullable(),
    totals: z.object({
      members: countField,
      compliant: countField,
      due: countField,
      overdue: countField,
      'not-required': countField,
    }),
    items: z.array(rowSchema),
    next: z.string().nullable(),
  })
  .meta({ id: 'ComplianceReport' });

const summarySchema = z
  .object({
    at: z.string(),
    offices: z.array(
      z.object({
        officeId: z.string(),
        name: z.string(),
        required: z.boolean(),
        reenrollmentDeadline: z.string().nullable(),
        members: countField,
        compliant: countField,
        compliantPercent: z.number().min(0).max(100).nullable(),
      }),
    ),
  })
  .meta({ id: 'ComplianceSummary' });

const reportQuery = z.object({
  at: instantQuery.optional().describe('The moment to report on (from the event history); now when left out'),
  after: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Compliance reports: an office admin for their own office, support and auditors for any. */
export const complianceRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  const mayRead = async (request: FastifyRequest, officeId: string) => {
    const { session } = await requireRole(deps.sessions, request, ['office-admin', 'support', 'auditor']);
    const actor = { id: session.userId, role: session.role, officeId: session.officeId };
    if (session.role === 'office-admin' && !isOfficeAdminOf(actor, officeId))
      throw new DomainError('not-permitted', 'You administer another office.');
  };
  const report = (officeId: string, at: string | undefined, page: ReportPage) =>
    at === undefined
      ? deps.useCases.complianceNow(officeId, page)
      : deps.useCases.complianceAt(officeId, at, page);

  app.get(
    '/v1/offices/:officeId/compliance',
    {
      schema: {
        tags: ['office'],
        summary: "Every member's 2FA compliance, now or at a past moment (`at`), with totals",
        params: z.object({ officeId: idParam }),
        querystring: reportQuery,
        response: { 200: reportSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      await mayRead(request, request.params.officeId);
      const { at, after, limit } = request.query;
      return report(request.params.officeId, at, { after: after ?? null, limit });
    },
  );

  app.get(
    '/v1/offices/:officeId/compliance.csv',
    {
      schema: {
        tags: ['office'],
        summary: 'The whole compliance report as CSV (UTF-8, header row)',
        params: z.object({ officeId: idParam }),
        querystring: z.object({ at: reportQuery.shape.at }),
        response: {
          200: {
            description:
              'username,userId,role,twoFactor,enrolledAt,lastSecondFactorAt,status,deadline; status in words',
            content: { 'text/csv': { schema: z.string() } },
          },
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      await mayRead(request, request.params.officeId);
      const whole = await report(request.params.officeId, request.query.at, { after: null, limit: null });
      const day = whole.at.slice(0, 10);
      reply.header('content-disposition', `attachment; filename="compliance-${day}.csv"`);
      return reply.type('text/csv; charset=utf-8').send(complianceCsv(whole) as never);
    },
  );

  app.get(
    '/v1/compliance/offices',
    {
      schema: {
        tags: ['audit'],
        summary: 'Every office: whether it requires 2FA, its members and the share compliant now',
        response: { 200: summarySchema, ...problemResponses(401, 403, 503) },
      },
    },
    async (request) => {
      await requireRole(deps.sessions, request, ['support', 'auditor']);
      return { at: deps.clock.now().toISOString(), offices: await deps.useCases.complianceSummary() };
    },
  );
};
