import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmetHeaders, helmetOptions } from '../../../src/adapters/http/security-headers.ts';
import { type Harness, startHarness } from '../../support/service-harness.ts';

/** The headers @fastify/helmet (building them per response) adds with the service's options. */
const referenceHeaders = async (): Promise<Record<string, string>> => {
  const answer = async (withHelmet: boolean) => {
    const app = Fastify();
    // The same options object; @fastify/helmet types it with its own copy of helmet's types.
    if (withHelmet) await app.register(fastifyHelmet, helmetOptions as Record<string, unknown>);
    app.get('/', async () => ({ ok: true }));
    const reply = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    return reply.headers;
  };
  const [plain, helmeted] = [await answer(false), await answer(true)];
  return Object.fromEntries(
    Object.entries(helmeted)
      .filter(([name]) => !(name in plain))
      .map(([name, value]) => [name, String(value)]),
  );
};

describe('security headers computed once', () => {
  let h: Harness;
  let reference: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    reference = await referenceHeaders();
  });
  afterAll(async () => h?.stop());

  it('are exactly the set @fastify/helmet sets with the same options', () => {
    expect(Object.keys(reference).length).toBeGreaterThan(8);
    expect(Object.fromEntries(helmetHeaders(helmetOptions))).toEqual(reference);
  });

  it.each([
    ['a 200', 'GET', '/healthz', 200],
    ['a 401', 'GET', '/v1/me', 401],
    ['a 404', 'GET', '/no/such/route', 404],
    ['a 400', 'POST', '/v1/login', 400],
  ] as const)('are on %s answer of the service, unchanged', async (_name, method, url, status) => {
    const reply = await h.service.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
    expect(reply.statusCode).toBe(status);
    for (const [name, value] of Object.entries(reference)) expect(reply.headers[name], name).toBe(value);
    expect(reply.headers['x-powered-by']).toBeUndefined();
  });
});
