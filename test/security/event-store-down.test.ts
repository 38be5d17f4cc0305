import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/service-harness.ts';

describe('S16 event store down', () => {
  let h: Harness;

  beforeAll(async () => {
    // An EventStoreDB address where nothing listens: every read and append fails.
    h = await startHarness({
      EVENTSTORE_URL: 'esdb://127.0.0.1:9?tls=false&defaultDeadline=2000&keepAliveTimeout=2000',
    });
  });
  afterAll(async () => h?.stop());

  it('S16 commands answer 503 problem+json and write nothing; /readyz says which part is down', async () => {
    const office = await h.call('POST', '/v1/platform/offices', { body: { name: 'Nowhere' }, apiKey: true });
    expect(office.status).toBe(503);
    expect(office.body).toMatchObject({ status: 503, code: 'event-store-unavailable' });
    const ready = await h.call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(/eventStore/);
  }, 30_000);

  it('S16 a login never gets through without its checks: 503 while the read models cannot be projected', async () => {
    const login = await h.call('POST', '/v1/login', { body: { username: 'anyone', password: 'anything' } });
    expect(login.status).toBe(503);
    expect(login.body).toMatchObject({ code: 'read-models-unavailable' });
    expect(login.body).not.toHaveProperty('session');
  });
});
