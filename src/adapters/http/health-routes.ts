import type { FastifyPluginAsync } from 'fastify';
import { ReadModelsRebuildingError } from '../../application/ports/read-models.ts';

/** Each dependency's reachability: resolves when reachable, rejects with the reason when not. */
export type ReadinessCheck = Record<string, () => Promise<void>>;

export const healthRoutes: FastifyPluginAsync<{ readiness: ReadinessCheck }> = async (app, { readiness }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok', null] as const;
        } catch (error) {
          // Reachable but not serving (being built, or built from another store): say why.
          if (error instanceof ReadModelsRebuildingError) return [name, 'rebuilding', error.message] as const;
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
  });
};
