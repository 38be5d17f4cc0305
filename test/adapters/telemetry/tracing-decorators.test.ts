import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemoryReadModels } from '../../../src/adapters/memory/memory-read-models.ts';
import { MemorySessionStore } from '../../../src/adapters/memory/memory-session-store.ts';
import { SystemClock } from '../../../src/adapters/system/system-clock.ts';
import { httpTracing } from '../../../src/adapters/telemetry/http-tracing.ts';
import { inSpan } from '../../../src/adapters/telemetry/spans.ts';
import {
  tracedEventStore,
  tracedReadModels,
  tracedSessionStore,
} from '../../../src/adapters/telemetry/traced-ports.ts';
import { tracedUseCases } from '../../../src/adapters/telemetry/traced-use-cases.ts';
import { installContextManager } from '../../../src/adapters/telemetry/tracing.ts';
import type { EventToAppend } from '../../../src/application/ports/event-store.ts';
import {
  type ProjectionTarget,
  type ReadModels,
  ReadModelUnavailableError,
} from '../../../src/application/ports/read-models.ts';
import { servingMemoryReadModels } from '../../support/read-models.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');

beforeAll(() => installContextManager());
afterEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const named = (name: string): ReadableSpan => {
  const span = spans().find((candidate) => candidate.name === name);
  if (span === undefined) throw new Error(`no span ${name} in ${spans().map((s) => s.name)}`);
  return span;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const inRequest = <T>(work: () => Promise<T>) => inSpan(tracer, 'request', {}, work);

const event = (type: string): EventToAppend => ({
  type,
  data: { note: 'x' },
  metadata: {
    eventId: crypto.randomUUID(),
    occurredAt: new Date().toISOString(),
    actor: { type: 'system' } as never,
    correlationId: 'corr-1',
    causationId: 'corr-1',
    schemaVersion: 1,
  },
});

const userStream = 'user-security-0f8e1f0c-3a5b-4c47-9d2e-8b1a2c3d4e5f';

describe('tracedEventStore', () => {
  it('spans append (stream id, event count), readStream and readAll under the active span', async () => {
    const store = tracedEventStore(new MemoryEventStore(), tracer, 'memory');
    await inRequest(async () => {
      await store.append(userStream, [event('A'), event('B')], 'no-stream');
      await store.readStream(userStream);
      await store.readAll(0, 10);
    });
    const request = named('request');
    const append = named('event-store append');
    expect(append.kind).toBe(SpanKind.CLIENT);
    expect(append.attributes).toMatchObject({
      'sf.stream_id': userStream,
      'sf.stream_category': 'user-security',
      'sf.event_count': 2,
      'sf.position': 2,
      'db.system.name': 'memory',
    });
    expect(named('event-store readStream').attributes).toMatchObject({
      'sf.stream_id': userStream,
      'sf.event_count': 2,
    });
    expect(named('event-store readAll').attributes).toMatchObject({ 'sf.after': 0, 'sf.limit': 10 });
    for (const name of ['event-store append', 'event-store readStream', 'event-store readAll']) {
      expect(parentOf(named(name))).toBe(request.spanContext().spanId);
      expect(named(name).spanContext().traceId).toBe(request.spanContext().traceId);
    }
  });

  it('spans readStreamAfter (revision, count), readSnapshot (found, revision) and writeSnapshot, never the state', async () => {
    const store = tracedEventStore(new MemoryEventStore(), tracer, 'memory');
    await inRequest(async () => {
      await store.append(userStream, [event('A'), event('B'), event('C')], 'no-stream');
      expect(await store.readSnapshot(userStream)).toBeNull();
      await store.writeSnapshot({
        streamId: userStream,
        revision: 1,
        schemaVersion: 1,
        state: { n: 'x-secret' },
      });
      expect((await store.readSnapshot(userStream))?.revision).toBe(1);
      expect(await store.readStreamAfter(userStream, 1)).toHaveLength(1);
    });
    const request = named('request').spanContext().spanId;
    const reads = spans().filter((span) => span.name === 'event-store readSnapshot');
    expect(reads.map((span) => span.attributes['sf.found'])).toEqual([false, true]);
    expect(reads[1]?.attributes['sf.revision']).toBe(1);
    expect(named('event-store writeSnapshot').attributes).toMatchObject({
      'sf.stream_id': userStream,
      'sf.revision': 1,
    });
    expect(named('event-store readStreamAfter').attributes).toMatchObject({
      'sf.stream_id': userStream,
      'sf.after_revision': 1,
      'sf.event_count': 1,
    });
    for (const span of spans().filter((candidate) => candidate.name !== 'request')) {
      expect(parentOf(span)).toBe(request);
      expect(JSON.stringify(span.attributes)).not.toContain('x-secret');
    }
  });

  it('records a stream named after a username by its category only', async () => {
    const store = tracedEventStore(new MemoryEventStore(), tracer, 'memory');
    await inRequest(() => store.append('username-alice.secret', [event('UsernameReserved')], 'no-stream'));
    const append = named('event-store append');
    expect(append.attributes['sf.stream_category']).toBe('username');
    expect(append.attributes['sf.stream_id']).toBeUndefined();
    expect(JSON.stringify(append.attributes)).not.toContain('alice');
  });

  it('starts no lone root spans for background work (the projector, readiness checks)', async () => {
    const store = tracedEventStore(new MemoryEventStore(), tracer, 'memory');
    await store.append('user-1', [event('A')], 'no-stream');
    await store.readAll(0, 10);
    expect(spans()).toEqual([]);
  });

  it('records a failure with status ERROR and the error class only', async () => {
    const store = tracedEventStore(new MemoryEventStore(), tracer, 'memory');
    await inRequest(async () => {
      await store.append('user-1', [event('A')], 'no-stream');
      await expect(store.append('user-1', [event('B')], 'no-stream')).rejects.toThrow();
    }).catch(() => {});
    const failed = spans().filter((span) => span.name === 'event-store append')[1];
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ConcurrencyError' });
    expect(failed?.attributes['error.type']).toBe('ConcurrencyError');
    expect(failed?.events).toEqual([]);
  });
});

describe('tracedReadModels', () => {
  it('names spans read-models <method>, says whether a lookup found something, never the username', async () => {
    const readModels = tracedReadModels(await servingMemoryReadModels(), tracer, 'redis');
    await inRequest(async () => {
      expect(await readModels.loginByUsername('alice.secret')).toBeNull();
      await readModels.officePolicy('office-1');
    });
    const lookup = named('read-models loginByUsername');
    expect(lookup.attributes).toEqual({ 'db.system.name': 'redis', 'sf.found': false });
    expect(parentOf(lookup)).toBe(named('request').spanContext().spanId);
    expect(named('read-models officePolicy').attributes['sf.found']).toBe(false);
    expect(JSON.stringify(spans().map((span) => span.attributes))).not.toContain('alice');
  });

  it('records an outage as ERROR without the message (which may name the user)', async () => {
    const failing = {
      ...new MemoryReadModels(),
      loginByUsername: async (username: string) => {
        throw new ReadModelUnavailableError(`redis down while looking up ${username}`);
      },
    } as unknown as ReadModels & ProjectionTarget;
    const readModels = tracedReadModels(failing, tracer, 'redis');
    await inRequest(() => readModels.loginByUsername('alice.secret')).catch(() => {});
    const lookup = named('read-models loginByUsername');
    expect(lookup.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ReadModelUnavailableError' });
    expect(JSON.stringify({ a: lookup.attributes, s: lookup.status, e: lookup.events })).not.toContain(
      'alice',
    );
  });

  it('passes the projector side (apply, applyBatch) through', async () => {
    const inner = new MemoryReadModels();
    const readModels = tracedReadModels(inner, tracer, 'memory');
    expect(typeof readModels.apply).toBe('function');
    expect(await readModels.applyBatch([], 0)).toBe(await inner.applyBatch([], 0));
  });
});

describe('tracedSessionStore', () => {
  it('names spans sessions <method> and keeps tokens out of the attributes', async () => {
    const sessions = tracedSessionStore(
      new MemorySessionStore(new RandomTokens(), new SystemClock()),
      tracer,
      'memory',
    );
    let token = '';
    await inRequest(async () => {
      token = await sessions.createChallenge(
        { userId: 'u1', kind: 'second-factor', createdAt: new Date().toISOString() },
        60,
      );
      expect(await sessions.consumeChallenge(token)).not.toBeNull();
      expect(await sessions.consumeChallenge(token)).toBeNull();
    });
    const consumed = spans().filter((span) => span.name === 'sessions consumeChallenge');
    expect(consumed.map((span) => span.attributes['sf.found'])).toEqual([true, false]);
    expect(named('sessions createChallenge').attributes).toEqual({ 'db.system.name': 'memory' });
    expect(JSON.stringify(spans().map((span) => span.attributes))).not.toContain(token);
  });
});

describe('tracedUseCases', () => {
  it('wraps each use case in a span use-case <name>; the store spans nest under it', async () => {
    const store = tracedEventStore(new MemoryEventStore(), tracer, 'memory');
    const useCases = tracedUseCases(
      {
        register: async (password: string) => {
          await store.append('user-2', [event('Registered')], 'no-stream');
          return password.length;
        },
        version: () => 3,
        broken: async (_code: string) => {
          throw new Error('code 123456 was wrong');
        },
      },
      tracer,
    );
    expect(await useCases.register('hunter2')).toBe(7);
    expect(useCases.version()).toBe(3);
    await expect(useCases.broken('123456')).rejects.toThrow('code 123456 was wrong');

    const register = named('use-case register');
    expect(register.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(named('event-store append'))).toBe(register.spanContext().spanId);
    expect(named('use-case version').status.code).toBe(SpanStatusCode.UNSET);
    const broken = named('use-case broken');
    expect(broken.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Error' });
    const everything = JSON.stringify(spans().map((span) => [span.attributes, span.status, span.events]));
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('123456');
  });
});

describe('httpTracing', () => {
  const build = async () => {
    const useCases = tracedUseCases(
      {
        work: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return 'done';
        },
      },
      tracer,
    );
    const app = Fastify();
    httpTracing(tracer, {
      correlationIdOf: (request) => String(request.headers['x-correlation-id'] ?? request.id),
    })(app);
    app.post('/v1/things/:id', async () => ({ result: await useCases.work() }));
    app.get('/v1/fail', async () => {
      throw new Error('password=hunter2');
    });
    await app.ready();
    return app;
  };

  it('opens a server span per request with method, route, status and correlation id; use cases nest', async () => {
    const app = await build();
    const reply = await app.inject({
      method: 'POST',
      url: '/v1/things/42',
      headers: { 'x-correlation-id': 'corr-abc' },
      payload: {},
    });
    expect(reply.statusCode).toBe(200);
    await app.close();
    const server = named('POST /v1/things/:id');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/v1/things/:id',
      'http.response.status_code': 200,
      'sf.correlation_id': 'corr-abc',
    });
    expect(server.parentSpanContext).toBeUndefined();
    const work = named('use-case work');
    expect(parentOf(work)).toBe(server.spanContext().spanId);
    expect(work.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it('continues an incoming W3C traceparent', async () => {
    const app = await build();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    await app.inject({
      method: 'POST',
      url: '/v1/things/1',
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
      payload: {},
    });
    await app.close();
    const server = named('POST /v1/things/:id');
    expect(server.spanContext().traceId).toBe(traceId);
    expect(parentOf(server)).toBe(parentId);
    expect(named('use-case work').spanContext().traceId).toBe(traceId);
  });

  it('marks a 500 as ERROR with the error class, not its message', async () => {
    const app = await build();
    const reply = await app.inject({ method: 'GET', url: '/v1/fail' });
    expect(reply.statusCode).toBe(500);
    await app.close();
    const server = named('GET /v1/fail');
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes['http.response.status_code']).toBe(500);
    expect(server.attributes['error.type']).toBe('Error');
    expect(JSON.stringify([server.attributes, server.status, server.events])).not.toContain('hunter2');
  });
});
