import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpMetrics } from '../../../src/adapters/http/dependencies.ts';
import { requestLog } from '../../../src/adapters/http/request-log.ts';
import { createLogger } from '../../../src/config/logger.ts';
import { type Harness, platformKey, startHarness } from '../../support/service-harness.ts';

const captured = () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
};

describe('request log of the service', () => {
  const { lines, logger } = captured();
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ LOG_LEVEL: 'info' }, logger);
  });
  afterAll(async () => h?.stop());

  it('writes one line per request at info, with method, route, status, duration and ids, and nothing of the URL', async () => {
    const officeId = await h.office();
    await h.user(officeId, 'logged.user');
    lines.length = 0;
    // A request that logs nothing beyond its line makes no logger of its own (see lazy-request-logger.ts).
    const children = vi.spyOn(logger, 'child');
    await h.service.app.inject({
      method: 'GET',
      url: '/v1/platform/users/no-such-user/login-requirements?token=should-not-appear',
      headers: { 'x-api-key': platformKey, 'x-correlation-id': 'corr-42' },
    });
    await h.call('POST', '/v1/login', { body: { username: 'logged.user', password: 'wrong password' } });
    expect(children).not.toHaveBeenCalled();
    children.mockRestore();
    const requestLines = lines.filter((line) => line.msg === 'request');
    expect(lines.filter((line) => line.msg !== 'request')).toEqual([]);
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/v1/platform/users/:userId/login-requirements',
      status: 404,
      correlationId: 'corr-42',
      reqId: expect.any(String),
      ms: expect.any(Number),
    });
    expect(requestLines[1]).toMatchObject({ method: 'POST', route: '/v1/login', status: 401 });
    expect(requestLines[1]?.correlationId).toBe(requestLines[1]?.reqId);
    const text = JSON.stringify(lines);
    for (const secret of ['no-such-user', 'should-not-appear', 'wrong password', platformKey, 'logged.user'])
      expect(text).not.toContain(secret);
  });
});

describe('request log sampling', () => {
  const metrics: HttpMetrics & { observed: number } = {
    observed: 0,
    observeRequest() {
      this.observed += 1;
    },
    loginOutcome: () => {},
    render: async () => '',
    contentType: 'text/plain',
  };
  const appWith = async (sample: number) => {
    const { lines, logger } = captured();
    const app = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    requestLog(app, metrics, sample);
    app.get('/ok', async () => ({ ok: true }));
    app.get('/fails', async () => {
      throw new Error('boom');
    });
    await app.ready();
    return { app, lines: () => lines.filter((line) => line.msg === 'request') };
  };

  it('writes no line of an answer below 500 at share 0, yet always the line of a 5xx; metrics see every request', async () => {
    const { app, lines } = await appWith(0);
    const before = metrics.observed;
    for (let i = 0; i < 20; i += 1) await app.inject({ method: 'GET', url: '/ok' });
    await app.inject({ method: 'GET', url: '/fails' });
    expect(lines().map((line) => line.status)).toEqual([500]);
    expect(metrics.observed - before).toBe(21);
    await app.close();
  });

  it('writes about that share of the lines between 0 and 1', async () => {
    const { app, lines } = await appWith(0.5);
    for (let i = 0; i < 400; i += 1) await app.inject({ method: 'GET', url: '/ok' });
    // Binomial(400, 0.5): outside 140..260 happens with a chance below 1e-9.
    expect(lines().length).toBeGreaterThan(140);
    expect(lines().length).toBeLessThan(260);
    await app.close();
  });
});
