import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { lazyRequestLogger } from '../../../src/adapters/http/lazy-request-logger.ts';
import { createLogger } from '../../../src/config/logger.ts';

const appWithCapturedLog = async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const children = vi.spyOn(logger, 'child');
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
  });
  app.get('/quiet', async (request) => ({ level: request.log.level }));
  app.get('/logs', async (request) => {
    request.log.warn({ password: 'hunter2', userId: 'u-1' }, 'something to note');
    request.log.info('and once more');
    return { id: request.id };
  });
  await app.ready();
  // Fastify makes children of its own while it starts; only those of requests are counted.
  children.mockClear();
  return { app, lines, children };
};

describe("a request's logger made on first use", () => {
  it('makes no child logger for a request that logs nothing through it, yet tells its level', async () => {
    const { app, lines, children } = await appWithCapturedLog();
    const answer = await app.inject({ method: 'GET', url: '/quiet' });
    expect(answer.json()).toEqual({ level: 'info' });
    expect(children).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    await app.close();
  });

  it('makes it once when the request logs, with the request id bound and secrets redacted as before', async () => {
    const { app, lines, children } = await appWithCapturedLog();
    const answer = await app.inject({ method: 'GET', url: '/logs' });
    const { id } = answer.json() as { id: string };
    expect(children).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        reqId: id,
        userId: 'u-1',
        password: '[redacted]',
        msg: 'something to note',
      }),
      expect.objectContaining({ level: 30, reqId: id, msg: 'and once more' }),
    ]);
    await app.close();
  });
});
