import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/service-harness.ts';
import { codeAt, waitForStepWithAtLeast } from '../support/totp-codes.ts';

describe('TOTP at login over HTTP', () => {
  let h: Harness;
  let officeId: string;

  beforeAll(async () => {
    h = await startHarness();
    officeId = await h.office();
  });
  afterAll(async () => h?.stop());

  const challengeFor = async (username: string) => {
    const reply = await h.login(username);
    expect(reply.body.status).toBe('second-factor-required');
    return reply.body.challenge as string;
  };

  it('S3 replay: a code works once; the same or an older step is refused afterwards', async () => {
    await h.user(officeId, 'replay.user');
    await waitForStepWithAtLeast(15);
    const { secret } = await h.enrol('replay.user');
    const current = codeAt(secret, 0);
    const first = await h.call('POST', '/v1/login/second-factor', {
      body: { challenge: await challengeFor('replay.user'), code: current },
    });
    expect(first.status).toBe(200);
    for (const code of [current, codeAt(secret, -1)]) {
      const again = await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: await challengeFor('replay.user'), code },
      });
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('invalid-code');
    }
  });

  it('S3 one challenge mints at most one session, whichever factor finishes it', async () => {
    await h.user(officeId, 'one.session');
    await waitForStepWithAtLeast(15);
    const { secret, recoveryCodes } = await h.enrol('one.session');
    const challenge = await challengeFor('one.session');
    const byCode = await h.call('POST', '/v1/login/second-factor', {
      body: { challenge, code: codeAt(secret, 0) },
    });
    expect(byCode.status).toBe(200);
    const byRecovery = await h.call('POST', '/v1/login/second-factor', {
      body: { challenge, recoveryCode: recoveryCodes[0] },
    });
    expect(byRecovery.status).toBe(401);
    expect(byRecovery.body.code).toBe('invalid-challenge');
  });

  it('S4 replay in a race: 20 parallel logins with the same valid code, exactly one succeeds', async () => {
    await h.user(officeId, 'race.user');
    await waitForStepWithAtLeast(20);
    const { secret } = await h.enrol('race.user');
    const challenges = await Promise.all(Array.from({ length: 20 }, () => challengeFor('race.user')));
    const code = codeAt(secret, 0);
    const replies = await Promise.all(
      challenges.map((challenge) => h.call('POST', '/v1/login/second-factor', { body: { challenge, code } })),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    // The losers are replays: refused, and after five of them the account is locked (429).
    expect(statuses.filter((status) => status === 401 || status === 429)).toHaveLength(19);
  }, 60_000);

  it('S5 malformed codes get exactly the answer a wrong code gets, never a 500', async () => {
    // One account per code: five wrong codes would lock an account and change the answer to 429.
    let accounts = 0;
    const answer = async (code: string) => {
      accounts += 1;
      const username = `malformed.${accounts}`;
      await h.user(officeId, username);
      await h.enrol(username);
      const reply = await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: await challengeFor(username), code },
      });
      return {
        status: reply.status,
        code: reply.body.code,
        title: reply.body.title,
        detail: reply.body.detail,
      };
    };
    const wrong = await answer('000000');
    expect(wrong.status).toBe(401);
    for (const code of ['', 'abc', '1234567', ' 123456', '１２３４５６', '١٢٣٤٥٦', '12345\u0000']) {
      expect(await answer(code), JSON.stringify(code)).toEqual(wrong);
    }
  }, 60_000);
});
