import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { storeCheckpointSchema } from '../../../domain/audit/events.ts';
import { requireRole } from '../authentication.ts';
import type { HttpDependencies } from '../dependencies.ts';
import { problemResponses } from '../problems.ts';
import { requestContext } from '../request-context.ts';

const publicKeySchema = z.object({
  keyId: z.string(),
  algorithm: z.literal('Ed25519'),
  publicKey: z.string().describe('SPKI DER, base64'),
  pem: z.string(),
});

/** Signed audit checkpoints: the keys that verify them (public), and a new one on demand (auditors). */
export const checkpointRoutes: FastifyPluginAsyncZod<{ deps: HttpDependencies }> = async (app, { deps }) => {
  app.get(
    '/v1/audit/signing-key',
    {
      schema: {
        tags: ['audit'],
        summary: 'The public keys that verify audit checkpoints, newest (the one signing now) first',
        response: { 200: z.object({ keys: z.array(publicKeySchema) }) },
      },
    },
    async () => ({ keys: deps.useCases.auditSigningKeys() }),
  );

  app.post(
    '/v1/audit/checkpoints',
    {
      schema: {
        tags: ['audit'],
        summary: 'Sign a checkpoint of the whole history now; keep the answer outside the service',
        response: {
          201: z.object({
            checkpoint: storeCheckpointSchema,
            signature: z.string(),
            eventPosition: z.number(),
          }),
          ...problemResponses(401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const { session } = await requireRole(deps.sessions, request, ['auditor']);
      const actor = { id: session.userId, role: session.role, officeId: session.officeId };
      const outcome = await deps.useCases.signAuditCheckpoint({ ...requestContext(request), actor });
      return reply.code(201).send({ ...outcome.signed, eventPosition: outcome.position });
    },
  );
};
