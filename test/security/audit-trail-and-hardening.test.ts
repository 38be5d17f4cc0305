import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { type Harness, startHarness } from '../support/service-harness.ts';

describe('audit trail and HTTP hardening', () => {
  let h: Harness;
  let officeId: string;

  beforeAll(async () => {
    h = await startHarness({
      BODY_LIMIT_BYTES: '4096',
      REQUEST_TIMEOUT_MS: '7000',
      CORS_ORIGINS: 'https://app.example',
    });
    officeId = await h.office();
  });
  afterAll(async () => h?.stop());

  it('S19 every state change is an event with actor, UTC time and correlation id', async () => {
    await h.user(officeId, 'audited.user');
    await h.user(officeId, 'audited.admin', 'office-admin');
    await h.enrol('audited.user');
    const admin = await h.sessionOf('audited.admin');
    const read = await h.call('GET', `/v1/offices/${officeId}/two-factor-policy`, { token: admin });
    await h.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
      body: { required: true },
      token: admin,
      headers: { 'if-match': String(read.headers.etag), 'x-correlation-id': 'corr-s19' },
    });
    const store = new SqliteEventStore(join(h.dataDir, 'events.sqlite'));
    const events = await store.readAll(0, 10_000);
    await store.close();
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining([
        'OfficeRegistered',
        'UserRegistered',
        'TotpEnrollmentStarted',
        'TotpEnrolled',
        'OfficeTwoFactorRequired',
      ]),
    );
    for (const event of events) {
      expect(event.metadata.actor.id, event.type).toMatch(/.+/);
      expect(event.metadata.actor.role, event.type).toMatch(/.+/);
      expect(event.metadata.occurredAt, event.type).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(event.metadata.correlationId, event.type).toMatch(/.+/);
    }
    const policyChange = events.find((event) => event.type === 'OfficeTwoFactorRequired');
    expect(policyChange?.metadata.actor.role).toBe('office-admin');
  });

  it("S19 auditors can check a stream's hash chain over HTTP", async () => {
    const auditorsOffice = await h.office('Auditors');
    await h.user(auditorsOffice, 'chain.auditor', 'auditor');
    const auditor = await h.sessionOf('chain.auditor');
    const reply = await h.call('GET', `/v1/audit/verification?streamId=office-${officeId}`, {
      token: auditor,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ intact: true, firstBroken: null });
    expect(reply.body.eventsChecked).toBeGreaterThanOrEqual(1);
  });

  it('S20 answers carry security headers from helmet', async () => {
    const reply = await h.service.app.inject({ method: 'GET', url: '/healthz' });
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(reply.headers['strict-transport-security']).toBeDefined();
    expect(reply.headers['x-frame-options']).toBeDefined();
  });

  it('S20 a body over the limit is refused with 413 problem+json', async () => {
    const reply = await h.service.app.inject({
      method: 'POST',
      url: '/v1/login',
      payload: { username: 'x', password: 'p'.repeat(5000) },
    });
    expect(reply.statusCode).toBe(413);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('S20 requests time out after REQUEST_TIMEOUT_MS', () => {
    expect(h.service.app.server.requestTimeout).toBe(7000);
    expect(h.service.app.server.timeout).toBe(7000);
  });

  it('S20 CORS answers only the configured origins', async () => {
    const preflight = (origin: string) =>
      h.service.app.inject({
        method: 'OPTIONS',
        url: '/v1/login',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight('https://app.example')).headers['access-control-allow-origin']).toBe(
      'https://app.example',
    );
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('S20 CORS is closed when no origin is configured', async () => {
    const closed = await startHarness();
    try {
      const reply = await closed.service.app.inject({
        method: 'OPTIONS',
        url: '/v1/login',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await closed.stop();
    }
  });
});
