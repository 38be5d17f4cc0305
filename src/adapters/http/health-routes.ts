import type { FastifyPluginAsync } from 'fastify';

/** Each dependency's reachability: resolves when reachable, rejects with the reason when not. */
export type ReadinessCheck = Record<string, () => Promise<void>>;

export const healthRoutes: FastifyPluginAsync<{ readiness: ReadinessCheck }> = async (app, { readiness }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, state]) => state === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
};
