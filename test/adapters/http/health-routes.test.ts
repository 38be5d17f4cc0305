import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { healthRoutes } from '../../../src/adapters/http/health-routes.ts';
import { ReadModelsRebuildingError } from '../../../src/application/ports/read-models.ts';

const appWith = async (readiness: Record<string, () => Promise<void>>) => {
  const app = Fastify();
  await app.register(healthRoutes, { readiness });
  return app;
};

describe('health routes', () => {
  it('GET /healthz answers 200 while the process runs', async () => {
    const app = await appWith({});
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when every dependency is reachable', async () => {
    const app = await appWith({ eventStore: async () => {}, readModels: async () => {} });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { eventStore: 'ok', readModels: 'ok' } });
  });

  it('GET /readyz answers 503 naming the dependency that is down, without its error text', async () => {
    const app = await appWith({
      eventStore: async () => {},
      readModels: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379 password=hunter2');
      },
    });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'not-ready',
      checks: { eventStore: 'ok', readModels: 'unreachable' },
    });
    expect(response.body).not.toContain('hunter2');
  });

  it('GET /readyz answers 503 with the reason while the read models are being built or were rejected', async () => {
    const reason = 'Not serving: the read models come from event store a, not from b; rebuilding.';
    const app = await appWith({
      eventStore: async () => {},
      readModels: async () => {
        throw new ReadModelsRebuildingError(reason);
      },
    });
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'not-ready',
      checks: { eventStore: 'ok', readModels: 'rebuilding' },
      reasons: { readModels: reason },
    });
  });
});
