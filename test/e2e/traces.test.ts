import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import type { RecordedEvent } from '../../src/application/ports/event-store.ts';
import { httpClient } from '../support/http-client.ts';
import { ownRedisServer, redisServerInstalled } from '../support/own-redis-server.ts';
import { type ServiceProcess, startServiceProcess } from '../support/service-process.ts';
import { codeAt } from '../support/totp-codes.ts';

const apiKey = 'traces-platform-key-0123456789abcdef0123456789';
const password = 'traced password never exported';

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type CollectedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  attributes: Record<string, string | number | boolean | undefined>;
  status: { code?: number };
};

/** A fake OTLP/HTTP collector: accepts JSON on POST /v1/traces and keeps every span it is sent. */
const fakeCollector = async () => {
  const spans: CollectedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      if (!String(request.headers['content-type']).startsWith('application/json')) {
        response.writeHead(415).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString();
      bodies.push(text);
      const payload = JSON.parse(text) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: OtlpValue }[] };
          scopeSpans: {
            spans: (Omit<CollectedSpan, 'attributes' | 'service'> & {
              attributes: { key: string; value: OtlpValue }[];
            })[];
          }[];
        }[];
      };
      const value = (v: OtlpValue) =>
        v.stringValue ?? (v.intValue === undefined ? v.boolValue : Number(v.intValue));
      for (const resourceSpans of payload.resourceSpans) {
        const service = resourceSpans.resource.attributes.find((a) => a.key === 'service.name');
        for (const scope of resourceSpans.scopeSpans)
          for (const span of scope.spans)
            spans.push({
              ...span,
              parentSpanId: span.parentSpanId ?? '',
              service: String(service === undefined ? '' : value(service.value)),
              attributes: Object.fromEntries(span.attributes.map((a) => [a.key, value(a.value)])),
            });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no collector port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const withRedis = redisServerInstalled();
if (!withRedis) console.warn('traces e2e: redis-server is not installed, so read models stay in memory');

describe('OpenTelemetry traces end to end: HTTP → use case → event store → Redis', () => {
  let collector: Awaited<ReturnType<typeof fakeCollector>>;
  let redis: Awaited<ReturnType<typeof ownRedisServer>> | null = null;
  let service: ServiceProcess;
  let dataDir: string;
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  let code = '';
  let appended: RecordedEvent[] = [];

  beforeAll(async () => {
    collector = await fakeCollector();
    if (withRedis) redis = await ownRedisServer();
    dataDir = mkdtempSync(join(tmpdir(), 'second-factor-traces-'));
    service = await startServiceProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      PLATFORM_API_KEY: apiKey,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'second-factor-e2e',
      ...(redis === null ? {} : { REDIS_URL: redis.url }),
    });
    const api = httpClient(service.url);
    const office = await api.post('/v1/platform/offices', { name: 'Traced office' }, { apiKey });
    const user = await api.post(
      '/v1/platform/users',
      { officeId: office.body.officeId, username: 'tracy', password, role: 'member' },
      { apiKey },
    );
    expect(user.status).toBe(201);
    const first = await api.post('/v1/login', { username: 'tracy', password });
    const session = first.body.session as string;
    const started = await api.post('/v1/me/two-factor/enrollment', { password }, { token: session });
    const secret = started.body.secret as string;
    const confirmed = await api.post(
      '/v1/me/two-factor/enrollment/confirm',
      { enrollmentId: started.body.enrollmentId, code: codeAt(secret, -1) },
      { token: session },
    );
    expect(confirmed.status).toBe(200);

    // The login under test: password and code in one request, inside the caller's trace.
    code = codeAt(secret, 0);
    const login = await api.post(
      '/v1/login',
      { username: 'tracy', password, code },
      { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } },
    );
    expect(login.body.status).toBe('authenticated');

    // Stopping flushes the batch of spans to the collector before the process exits.
    await service.kill('SIGTERM');
    const store = new SqliteEventStore(join(dataDir, 'events.sqlite'));
    appended = await store.readAll(0, 10_000);
    await store.close();
  }, 60_000);

  afterAll(async () => {
    await service?.kill();
    await redis?.kill();
    await collector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const inTrace = () => collector.spans.filter((span) => span.traceId === traceId);
  const one = (name: string) => {
    const found = inTrace().filter((span) => span.name === name);
    expect(
      found.map((span) => span.name),
      `spans named ${name}`,
    ).toHaveLength(1);
    return found[0] as CollectedSpan;
  };
  const ancestors = (span: CollectedSpan): string[] => {
    const byId = new Map(inTrace().map((candidate) => [candidate.spanId, candidate]));
    const chain: string[] = [];
    for (let at = byId.get(span.parentSpanId); at !== undefined; at = byId.get(at.parentSpanId))
      chain.push(at.name);
    return chain;
  };

  it('exports one trace for the login, continuing the caller’s traceparent', () => {
    const server = one('POST /v1/login');
    expect(server.parentSpanId).toBe(callerSpanId);
    expect(server.service).toBe('second-factor-e2e');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/login',
      'http.response.status_code': 200,
    });
  });

  it('nests use case → read models, sessions and event store under the HTTP span', () => {
    const server = one('POST /v1/login');
    const useCase = one('use-case login');
    expect(useCase.parentSpanId).toBe(server.spanId);
    const lookup = one('read-models loginByUsername');
    expect(lookup.parentSpanId).toBe(useCase.spanId);
    expect(lookup.attributes).toMatchObject({
      'db.system.name': withRedis ? 'redis' : 'memory',
      'sf.found': true,
    });
    const append = inTrace().find((span) => span.name === 'event-store append');
    expect(append).toBeDefined();
    expect(append?.attributes).toMatchObject({ 'db.system.name': 'sqlite' });
    expect(ancestors(append as CollectedSpan)).toEqual(
      expect.arrayContaining(['use-case login', 'POST /v1/login']),
    );
    // The challenge is used up and the session stored in one step.
    const consumed = one('sessions consumeChallengeForSession');
    expect(ancestors(consumed)).toEqual(expect.arrayContaining(['use-case login', 'POST /v1/login']));
    expect(consumed.attributes['sf.found']).toBe(true);
  });

  it('carries the correlation id of the events that request appended', () => {
    const correlationId = one('POST /v1/login').attributes['sf.correlation_id'];
    expect(typeof correlationId).toBe('string');
    const events = appended.filter((event) => event.metadata.correlationId === correlationId);
    expect(events.map((event) => event.type)).toContain('SecondFactorVerified');
    const appends = inTrace().filter((span) => span.name === 'event-store append');
    expect(new Set(events.map((event) => event.streamId))).toEqual(
      new Set(appends.map((span) => span.attributes['sf.stream_id'])),
    );
    expect(events).toHaveLength(
      appends.reduce((sum, span) => sum + Number(span.attributes['sf.event_count']), 0),
    );
  });

  it('keeps passwords, codes and usernames out of what it exports', () => {
    const everything = collector.bodies.join('\n');
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(`"${code}"`);
    expect(everything).not.toContain('tracy');
  });
});
