import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteTestService, startRouteTestService } from './route-test-service.ts';

describe('TEMPORARY_ACCESS_MAX_HOURS sets how long a temporary access code from support lasts', () => {
  let t: RouteTestService;
  beforeAll(async () => {
    t = await startRouteTestService({ TEMPORARY_ACCESS_MAX_HOURS: '2' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a code issued now ends two hours from now', async () => {
    const officeId = await t.createOffice('Short access');
    await t.createUser(officeId, 'desk', 'support');
    const support = await t.signIn('desk');
    const userId = await t.createUser(officeId, 'lost.phone');
    const before = Date.now();
    const reply = await t.call('POST', `/v1/support/users/${userId}/temporary-access`, {
      body: { reason: 'Lost phone, identity checked', ticket: 'SUP-2H' },
      token: support,
    });
    const after = Date.now();
    expect(reply.statusCode, reply.body).toBe(201);
    const expiresAt = Date.parse((reply.json() as { expiresAt: string }).expiresAt);
    const twoHours = 2 * 3_600_000;
    expect(expiresAt).toBeGreaterThanOrEqual(before + twoHours);
    expect(expiresAt).toBeLessThanOrEqual(after + twoHours);
  });
});
