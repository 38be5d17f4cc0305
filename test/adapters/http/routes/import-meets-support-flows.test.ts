import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TotpParameters } from '../../../../src/domain/user-security/totp-parameters.ts';
import { independentCode } from '../../../support/independent-totp.ts';
import { webhookReceiver } from '../../../support/webhook-receiver.ts';
import {
  apiKey,
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const sha1: TotpParameters = { algorithm: 'SHA1', digits: 6, period: 30 };
const why = { reason: 'Lost phone, identity checked by call-back', ticket: 'SUP-81' };

/** An import is an enrolment of an existing app: it obeys the freeze and ends temporary access. */
describe('an import of an existing enrolment meets temporary access and a freeze', () => {
  let t: RouteTestService;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let officeId: string;
  let support: string;

  const upload = (file: string, query = '') =>
    t.call('POST', `/v1/platform/offices/${officeId}/imports${query}`, {
      body: file,
      headers: { 'content-type': 'text/csv', 'x-api-key': apiKey },
    });
  const rowOf = async (file: string, query = '') => {
    const reply = await upload(file, query);
    expect(reply.statusCode, reply.body).toBe(200);
    return (reply.json() as { rows: { outcome: string; reason?: string }[] }).rows[0];
  };
  const login = (username: string, code: string) =>
    t.call('POST', '/v1/login', { body: { username, password, code } });
  const issueTemporaryAccess = async (userId: string) => {
    const reply = await t.call('POST', `/v1/support/users/${userId}/temporary-access`, {
      body: why,
      token: support,
    });
    expect(reply.statusCode, reply.body).toBe(201);
    return (reply.json() as { code: string }).code;
  };

  beforeAll(async () => {
    hooks = await webhookReceiver();
    t = await startRouteTestService({
      WEBHOOK_URL: hooks.url,
      WEBHOOK_SECRET: 'import-flows-webhook-secret',
    });
    officeId = await t.createOffice('Moving in with a helpdesk');
    await t.createUser(officeId, 'desk', 'support');
    support = await t.signIn('desk');
  });
  afterAll(async () => {
    await t?.stop();
    await hooks?.close();
  });

  it('an imported app ends temporary access: the temporary code no longer logs in, the app does', async () => {
    const userId = await t.createUser(officeId, 'lost.phone');
    const temporaryCode = await issueTemporaryAccess(userId);
    expect((await login('lost.phone', temporaryCode)).json()).toMatchObject({
      status: 'enrollment-required',
    });
    expect(await rowOf(`lost.phone,${secret}\n`)).toMatchObject({ outcome: 'imported' });
    expectProblem(await login('lost.phone', temporaryCode), 401, 'invalid-code');
    const found = await t.call('GET', '/v1/support/users?username=lost.phone', { token: support });
    expect(found.json()).toMatchObject({ twoFactor: 'enrolled' });
    expect((found.json() as Record<string, unknown>).temporaryAccessUntil ?? null).toBeNull();
    const history = await t.call('GET', `/v1/audit/events?userId=${userId}`, { token: support });
    const types = (history.json() as { items: { type: string; data: Record<string, unknown> }[] }).items;
    expect(types.find((event) => event.type === 'TemporaryAccessEnded')?.data).toMatchObject({
      why: 'enrolled',
    });
    const app = await login('lost.phone', independentCode(secret, new Date(), sha1));
    expect(app.statusCode, app.body).toBe(200);
    expect(app.json()).toMatchObject({ status: 'authenticated' });
  });

  it('a frozen account is refused per row (account-frozen), in a dry run too, and the rest of the file goes in', async () => {
    const frozenId = await t.createUser(officeId, 'was.not.me');
    await t.createUser(officeId, 'next.in.line');
    await issueTemporaryAccess(frozenId);
    const { freezeToken } = await hooks.nth('temporary-access-issued', frozenId);
    const freeze = await t.call('POST', '/v1/freeze', { body: { token: freezeToken } });
    expect(freeze.statusCode, freeze.body).toBe(200);
    const file = `was.not.me,${secret}\nnext.in.line,${secret}\n`;
    const dry = await upload(file, '?dryRun=true');
    expect(dry.json()).toMatchObject({
      rows: [
        { username: 'was.not.me', outcome: 'rejected', reason: 'account-frozen' },
        { username: 'next.in.line', outcome: 'imported' },
      ],
    });
    const real = await upload(file);
    expect(real.statusCode, real.body).toBe(200);
    expect(real.json()).toMatchObject({
      counts: { imported: 1, rejected: 1 },
      rows: [
        { username: 'was.not.me', outcome: 'rejected', reason: 'account-frozen' },
        { username: 'next.in.line', outcome: 'imported' },
      ],
    });
    const replaced = await upload(file, '?replace=true');
    expect(replaced.json()).toMatchObject({
      rows: [{ reason: 'account-frozen' }, { outcome: 'replaced' }],
    });
    expectProblem(
      await login('was.not.me', independentCode(secret, new Date(), sha1)),
      403,
      'account-frozen',
    );
  });
});
