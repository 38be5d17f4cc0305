import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ReadModelsRebuildingError } from '../../application/ports/read-models.ts';

/** Each dependency's reachability: resolves when reachable, rejects with the reason when not. */
export type ReadinessCheck = Record<string, () => Promise<void>>;

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.record(z.string(), z.enum(['ok', 'unreachable', 'rebuilding'])),
    /** Why a reachable store does not serve yet (read models being built, or built from another store). */
    reasons: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'Readiness' });

export const healthRoutes: FastifyPluginAsync<{ readiness: ReadinessCheck }> = async (app, { readiness }) => {
  // Its own compilers, so the plugin also works in an app that did not set them (its tests).
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is alive',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Every store is reachable and the read models are complete',
        response: {
          200: readinessSchema.describe('Ready'),
          503: readinessSchema.describe('Not ready: the checks say which store, the reasons why'),
        },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => {
          try {
            await check();
            return [name, 'ok', null] as const;
          } catch (error) {
            if (error instanceof ReadModelsRebuildingError)
              return [name, 'rebuilding', error.message] as const;
            return [name, 'unreachable', null] as const;
          }
        }),
      );
      const checks = Object.fromEntries(entries.map(([name, state]) => [name, state]));
      const reasons = Object.fromEntries(
        entries.flatMap(([name, , reason]) => (reason === null ? [] : [[name, reason]])),
      );
      const ready = entries.every(([, state]) => state === 'ok');
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not-ready',
        checks,
        ...(Object.keys(reasons).length === 0 ? {} : { reasons }),
      });
    },
  );
};
