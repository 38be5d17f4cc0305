import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/service-harness.ts';
import { codeAt, waitForStepWithAtLeast } from '../support/totp-codes.ts';

describe('brute force over HTTP', () => {
  let h: Harness;
  let officeId: string;

  beforeAll(async () => {
    h = await startHarness();
    officeId = await h.office();
  });
  afterAll(async () => h?.stop());

  const secondFactor = async (username: string, code: string) => {
    const login = await h.login(username);
    return h.call('POST', '/v1/login/second-factor', { body: { challenge: login.body.challenge, code } });
  };

  it('S6 five wrong codes lock the account: even the right code gets 429 with Retry-After, and auditors see it', async () => {
    const userId = await h.user(officeId, 'locked.user');
    await waitForStepWithAtLeast(15);
    const { secret } = await h.enrol('locked.user');
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect((await secondFactor('locked.user', '000000')).status).toBe(401);
    const fifth = await secondFactor('locked.user', '000000');
    expect(fifth.status).toBe(429);
    const right = await secondFactor('locked.user', codeAt(secret, 0));
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('locked-out');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(60);

    await h.user(officeId, 'lock.auditor', 'auditor');
    const auditor = await h.sessionOf('lock.auditor');
    const history = await h.call('GET', `/v1/audit/events?userId=${userId}&type=SecondFactorLockedOut`, {
      token: auditor,
    });
    expect(history.body.items).toEqual([expect.objectContaining({ type: 'SecondFactorLockedOut' })]);
  });

  it('S6 a correct password does not reset the count of wrong codes; only a correct code does', async () => {
    await h.user(officeId, 'count.user');
    await waitForStepWithAtLeast(15);
    const { secret } = await h.enrol('count.user');
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect((await secondFactor('count.user', '111111')).status).toBe(401);
    // Every secondFactor() call started with a correct password; the fifth wrong code still locks.
    expect((await secondFactor('count.user', '111111')).status).toBe(429);

    await h.user(officeId, 'reset.user');
    const enrolled = await h.enrol('reset.user');
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect((await secondFactor('reset.user', '111111')).status).toBe(401);
    expect((await secondFactor('reset.user', codeAt(enrolled.secret, 0))).status).toBe(200);
    for (let attempt = 1; attempt <= 4; attempt += 1)
      expect((await secondFactor('reset.user', '111111')).status).toBe(401);
    expect(secret).not.toBe(enrolled.secret);
  });

  it('S7 password guessing is throttled per account, from any IP, with 429 and Retry-After', async () => {
    const throttled = await startHarness({ LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '3' });
    try {
      const office = await throttled.office();
      await throttled.user(office, 'guessed.user');
      const attempt = (ip: string) =>
        throttled.service.app.inject({
          method: 'POST',
          url: '/v1/login',
          remoteAddress: ip,
          payload: { username: 'Guessed.User', password: 'wrong password' },
        });
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await attempt(ip)).statusCode).toBe(401);
      const blocked = await attempt('10.0.0.4');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      const otherAccount = await throttled.service.app.inject({
        method: 'POST',
        url: '/v1/login',
        remoteAddress: '10.0.0.4',
        payload: { username: 'someone.else', password: 'wrong password' },
      });
      expect(otherAccount.statusCode).toBe(401);
    } finally {
      await throttled.stop();
    }
  });

  it('S7 password guessing is throttled per IP across accounts', async () => {
    const throttled = await startHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const attempt = (username: string) =>
        throttled.service.app.inject({
          method: 'POST',
          url: '/v1/login',
          remoteAddress: '10.9.9.9',
          payload: { username, password: 'wrong password' },
        });
      for (const username of ['a', 'b', 'c']) expect((await attempt(username)).statusCode).toBe(401);
      expect((await attempt('d')).statusCode).toBe(429);
    } finally {
      await throttled.stop();
    }
  });

  // That both paths do the same work is proven call by call in login-work.test.ts.
  it('S7 an unknown username gets the same answer as a wrong password', async () => {
    const wrongPassword = await h
      .login('locked.user')
      .then(() => h.call('POST', '/v1/login', { body: { username: 'locked.user', password: 'nope' } }));
    const unknownUser = await h.call('POST', '/v1/login', {
      body: { username: 'no.such.user', password: 'nope' },
    });
    expect(unknownUser.status).toBe(401);
    const { instance: _a, ...wrongBody } = wrongPassword.body;
    const { instance: _b, ...unknownBody } = unknownUser.body;
    expect(unknownBody).toEqual(wrongBody);
  });
});
