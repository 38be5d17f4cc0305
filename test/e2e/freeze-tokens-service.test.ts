import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { type RunningService, startService } from '../../src/main.ts';
import {
  apiKey,
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from '../adapters/http/routes/route-test-service.ts';
import { waitForStepWithAtLeast } from '../support/totp-codes.ts';
import { webhookReceiver } from '../support/webhook-receiver.ts';

const why = { reason: 'Lost phone, identity checked by call-back', ticket: 'SUP-90' };
const env = (url: string) => ({ WEBHOOK_URL: url, WEBHOOK_SECRET: 'freeze-tokens-webhook-secret' });

/** "This wasn't me" over the embedded service: which notifications carry a token, and for how long. */
describe('freeze tokens of the embedded service', { timeout: 60_000 }, () => {
  let t: RouteTestService;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let restarted: RunningService | undefined;
  let officeId: string;
  let support: string;

  beforeAll(async () => {
    hooks = await webhookReceiver();
    t = await startRouteTestService(env(hooks.url));
    officeId = await t.createOffice('Not me');
    await t.createUser(officeId, 'desk', 'support');
    support = await t.signIn('desk');
    await waitForStepWithAtLeast(15);
  });
  afterAll(async () => {
    await restarted?.stop();
    rmSync(t.dataDir, { recursive: true, force: true });
    await hooks?.close();
  });

  it('every notification about a 2FA change carries its own token of at least 256 bits', async () => {
    const a = await t.enrolledUser(officeId, 'anne');
    const first = (await t.call('POST', '/v1/login', { body: { username: 'anne', password } })).json() as {
      challenge: string;
    };
    await t.call('POST', '/v1/login/second-factor', {
      body: { challenge: first.challenge, recoveryCode: a.recoveryCodes[0] },
    });
    const disabled = await t.call('DELETE', '/v1/me/two-factor', { body: { password }, token: a.token });
    expect(disabled.statusCode, disabled.body).toBe(204);
    const b = await t.enrolledUser(officeId, 'bram');
    for (let attempt = 0; attempt < 5; attempt++)
      await t.call('POST', '/v1/login', { body: { username: 'bram', password, code: '000000' } });
    const reset = await t.call('POST', `/v1/support/users/${b.userId}/two-factor-reset`, {
      body: why,
      token: support,
    });
    expect(reset.statusCode, reset.body).toBe(200);
    const c = await t.enrolledUser(officeId, 'cato');
    const issued = await t.call('POST', `/v1/support/users/${c.userId}/temporary-access`, {
      body: why,
      token: support,
    });
    const { code } = issued.json() as { code: string };
    await t.call('POST', '/v1/login', { body: { username: 'cato', password, code } });
    const expected: [string, string][] = [
      ['two-factor-enrolled', a.userId],
      ['recovery-code-used', a.userId],
      ['two-factor-disabled', a.userId],
      ['second-factor-locked-out', b.userId],
      ['two-factor-reset-by-support', b.userId],
      ['temporary-access-issued', c.userId],
      ['temporary-access-used', c.userId],
    ];
    const tokens = await Promise.all(
      expected.map(async ([type, userId]) => (await hooks.nth(type, userId)).freezeToken ?? ''),
    );
    for (const token of tokens) expect(token).toMatch(/^[\w-]{43,}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('a token from before a restart still freezes the account after it, once', async () => {
    const { userId } = await t.enrolledUser(officeId, 'dina');
    const { freezeToken } = await hooks.nth('two-factor-enrolled', userId);
    await t.service.stop();
    restarted = await startService(
      loadConfig({
        PORT: '0',
        DATA_DIR: t.dataDir,
        LOG_LEVEL: 'silent',
        PLATFORM_API_KEY: apiKey,
        ...env(hooks.url),
      }),
    );
    const freeze = () =>
      restarted!.app.inject({ method: 'POST', url: '/v1/freeze', payload: { token: freezeToken } });
    const frozen = await freeze();
    expect(frozen.statusCode, frozen.body).toBe(200);
    expectProblem(await freeze(), 401, 'invalid-freeze-token');
    const login = await restarted.app.inject({
      method: 'POST',
      url: '/v1/login',
      payload: { username: 'dina', password },
    });
    expectProblem(login, 403, 'account-frozen');
  });
});
