import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../../support/service-harness.ts';

const sample = (text: string, name: string, labels: string): number => {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}}`;
  const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
};

describe('GET /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  const scrape = async () => {
    const reply = await h.service.app.inject({ method: 'GET', url: '/metrics' });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    return reply.body;
  };

  it('counts login outcomes, security events, requests and appends as they happen', async () => {
    const before = await scrape();
    const officeId = await h.office();
    await h.user(officeId, 'metered.user');
    await h.call('POST', '/v1/login', { body: { username: 'metered.user', password: 'wrong' } });
    await h.enrol('metered.user');
    const login = await h.login('metered.user');
    expect(login.body.status).toBe('second-factor-required');
    const after = await scrape();

    const outcome = (text: string, name: string) =>
      sample(text, 'second_factor_login_outcomes_total', `outcome="${name}"`);
    expect(outcome(after, 'rejected') - outcome(before, 'rejected')).toBe(1);
    expect(outcome(after, 'authenticated') - outcome(before, 'authenticated')).toBe(1);
    expect(outcome(after, 'second-factor-required') - outcome(before, 'second-factor-required')).toBe(1);
    expect(sample(after, 'second_factor_security_events_total', 'type="two-factor-enrolled"')).toBe(1);
    expect(after).toMatch(
      /second_factor_http_request_duration_seconds_count\{route="\/v1\/login",method="POST",status="200"\} \d+/,
    );
    expect(sample(after, 'second_factor_event_store_append_duration_seconds_count', '')).toBeGreaterThan(0);
  });

  it('reports projection lag and who projects', async () => {
    const text = await scrape();
    expect(
      sample(text, 'second_factor_projection_lag_events', 'projection="read-models"'),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'second_factor_projector_leader', 'projection="read-models"')).toBe(1);
    expect(text).toMatch(/second_factor_process_resident_memory_bytes \d+/);
  });
});
