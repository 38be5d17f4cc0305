import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { importFileLimitBytes, rowRejections } from '../../../application/use-cases/import/enrolment-file.ts';
import { totpParametersSchema } from '../../../domain/user-security/totp-parameters.ts';
import { platformKeyHook } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';
import { countField, idParam } from '../schemas.ts';

const platformActor = { id: 'platform', role: 'platform' as const };
const flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => value === 'true');
const rejectionCodes = Object.keys(rowRejections) as [
  keyof typeof rowRejections,
  ...(keyof typeof rowRejections)[],
];

const reportSchema = z.object({
  officeId: z.string(),
  format: z.enum(['csv', 'otpauth-uri']),
  dryRun: z.boolean(),
  counts: z.object({ imported: countField, replaced: countField, skipped: countField, rejected: countField }),
  rows: z.array(
    z.object({
      line: countField,
      username: z.string().nullable(),
      outcome: z.enum(['imported', 'replaced', 'skipped', 'rejected']),
      userId: z.string().optional(),
      parameters: totpParametersSchema.optional(),
      reason: z.enum(rejectionCodes).optional(),
      message: z.string().optional(),
    }),
  ),
});

/** The platform moves existing authenticator enrolments in: one office, one file, a report per row. */
export const importRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  app.addHook('onRequest', platformKeyHook(deps.platformApiKey));
  app.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit: importFileLimitBytes },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/v1/platform/offices/:officeId/imports',
    {
      bodyLimit: importFileLimitBytes,
      schema: {
        tags: ['platform'],
        summary: 'Import existing TOTP enrolments of an office (CSV or otpauth URIs, at most 10 MB)',
        description:
          'CSV `username,secret[,digits,period,algorithm,enrolledAt]` or one `otpauth://totp/…` URI per line. ' +
          'Every row is checked before any is written; enrolled users are skipped unless `replace=true`. ' +
          'With `dryRun=true` nothing is written and the report says what would happen.',
        params: z.object({ officeId: idParam }),
        querystring: z.object({ dryRun: flag, replace: flag }),
        consumes: ['text/csv', 'text/plain'],
        body: z.string().max(importFileLimitBytes),
        response: {
          200: reportSchema,
          ...problemResponses(400, 401, 404, 413, 415, 503),
        },
      },
    },
    async (request) => {
      const { position, ...report } = await deps.useCases.importEnrolments(
        platformActor,
        request.body,
        { officeId: request.params.officeId, dryRun: request.query.dryRun, replace: request.query.replace },
        requestContext(request),
      );
      await deps.waitForProjection(position);
      return report;
    },
  );
};
