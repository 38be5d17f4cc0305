import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { createLogger } from '../../src/config/logger.ts';
import { independentCode } from '../support/independent-totp.ts';
import { findTestRedis } from '../support/redis.ts';
import { password, startHarness } from '../support/service-harness.ts';
import { codeAt, waitForStepWithAtLeast } from '../support/totp-codes.ts';
import { webhookReceiver } from '../support/webhook-receiver.ts';

const server = await findTestRedis();
const deployments = [
  { name: 'embedded', redisUrl: null as string | null },
  ...(server === null ? [] : [{ name: `Redis read models (${server.source})`, redisUrl: server.url }]),
];
if (server === null) console.warn('S8 Redis variant SKIPPED: no Redis reachable');

/** Everything the service wrote that a person with access to logs, store or Redis could read. */
const collectEverything = async (
  dataDir: string,
  logs: string[],
  redisUrl: string | null,
  prefix: string,
) => {
  const store = new SqliteEventStore(join(dataDir, 'events.sqlite'));
  const events = await store.readAll(0, 1_000_000);
  await store.close();
  const texts = [...logs, ...events.map((event) => JSON.stringify(event))];
  if (redisUrl !== null) {
    const redis = new Redis(redisUrl);
    for (const key of await redis.keys(`${prefix}*`)) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'zset'
            ? await redis.zrange(key, '0', '-1')
            : await redis.smembers(key);
      texts.push(key, JSON.stringify(value));
    }
    redis.disconnect();
  }
  return { texts, eventCount: events.length };
};

/** The service with debug logs captured, on the deployment's read models under a fresh Redis prefix. */
const harnessWithLogs = async (redisUrl: string | null, tag: string, env: Record<string, string> = {}) => {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const prefix = `${tag}:${process.pid}:${Date.now()}:`;
  const h = await startHarness(
    {
      LOG_LEVEL: 'debug',
      ...env,
      ...(redisUrl === null ? {} : { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
    },
    createLogger('debug', sink),
  );
  return { h, logs, prefix };
};

describe.each(deployments)('secrets stay secret: $name', ({ redisUrl }) => {
  it('S8 after every flow, the TOTP secret, otpauth URI, recovery and temporary codes and freeze tokens appear in no log line, event or Redis key (0 hits)', async () => {
    // The platform's webhook receives the freeze tokens, which must be nowhere else.
    const hooks = await webhookReceiver();
    const { h, logs, prefix } = await harnessWithLogs(redisUrl, 's8', {
      WEBHOOK_URL: hooks.url,
      WEBHOOK_SECRET: 's8-webhook-secret',
    });
    try {
      const officeId = await h.office();
      const userId = await h.user(officeId, 'secret.keeper');
      await h.user(officeId, 'support.s8', 'support');
      await h.user(officeId, 'auditor.s8', 'auditor');
      await waitForStepWithAtLeast(20);
      const { secret, otpauthUri, recoveryCodes, session } = await h.enrol('secret.keeper');
      const login = await h.login('secret.keeper');
      await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: login.body.challenge, code: '999999' },
      });
      await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: login.body.challenge, code: codeAt(secret, 0) },
      });
      const second = await h.login('secret.keeper');
      await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: second.body.challenge, recoveryCode: recoveryCodes[0] },
      });
      await h.call('GET', '/v1/me/two-factor', { token: session });
      const auditor = await h.sessionOf('auditor.s8');
      const audit = await h.call('GET', `/v1/audit/events?userId=${userId}`, { token: auditor });
      const support = await h.sessionOf('support.s8');
      const found = await h.call('GET', '/v1/support/users?username=secret.keeper', { token: support });
      await h.call('POST', `/v1/support/users/${userId}/two-factor-reset`, {
        body: { reason: 'lost phone', ticket: 'S8-1' },
        token: support,
      });
      const temporary = await h.call('POST', `/v1/support/users/${userId}/temporary-access`, {
        body: { reason: 'lost phone again', ticket: 'S8-2' },
        token: support,
      });
      const temporaryCode = String(temporary.body.code);
      const third = await h.login('secret.keeper');
      const withTemporary = await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: third.body.challenge, code: temporaryCode },
      });
      expect(withTemporary.body.status).toBe('enrollment-required');
      const { freezeToken } = await hooks.nth('temporary-access-used', userId);
      expect((await h.call('POST', '/v1/freeze', { body: { token: freezeToken } })).status).toBe(200);
      for (const type of ['two-factor-enrolled', 'recovery-code-used', 'two-factor-reset-by-support'])
        await hooks.nth(type, userId);
      await hooks.nth('temporary-access-issued', userId);
      const freezeTokens = hooks.received.map((notification) => notification.freezeToken ?? '');
      expect(freezeTokens.filter((token) => token.length >= 43).length).toBeGreaterThanOrEqual(5);

      const { texts, eventCount } = await collectEverything(h.dataDir, logs, redisUrl, prefix);
      expect(eventCount).toBeGreaterThan(10);
      expect(logs.length).toBeGreaterThan(10);
      const everything = texts.join('\n');
      const hits = [
        secret,
        otpauthUri,
        encodeURIComponent(otpauthUri),
        ...recoveryCodes,
        temporaryCode,
        ...freezeTokens.filter((token) => token !== ''),
      ].filter((needle) => everything.includes(needle));
      expect(hits).toEqual([]);

      // S10: password hashes never leave the service (audit, support and me answers).
      for (const answer of [audit.body, found.body])
        expect(JSON.stringify(answer)).not.toMatch(/argon2|passwordHash/);
      // S11: recovery codes are stored only as hashes, so none of the shown codes is in any event.
      expect(recoveryCodes).toHaveLength(10);
    } finally {
      await h.stop();
      await hooks.close();
    }
  }, 90_000);
});

describe.each(deployments)('imported secrets stay secret: $name', ({ redisUrl }) => {
  it('S8 an import (dry run, real run, re-run, replace, bad rows) and the logins after it leave no imported secret in any log, event, Redis key or answer', async () => {
    const { h, logs, prefix } = await harnessWithLogs(redisUrl, 's8i');
    try {
      const officeId = await h.office();
      await h.user(officeId, 'imported.one');
      await h.user(officeId, 'imported.two');
      await h.user(await h.office('Other'), 'elsewhere');
      const secrets = {
        one: 'KRUGS4ZANFZSAYLOEBUW24DPOJ2GKZBAONSWG4TF',
        two: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZ',
        replacement: 'PJXXK4TTMVRXEZLUNFZWC3DTN5UW24DPOJ2GC3TU',
        elsewhere: 'NBSWY3DPFQQHO33SNRSCCIJBEEQSCIJBEEQSCIJB',
        short: 'JBSWY3DPEHPK3PXP',
      };
      const file = [
        `imported.one,${secrets.one}`,
        `imported.two,${secrets.two},8,60,SHA256`,
        `elsewhere,${secrets.elsewhere}`,
        `nobody,${secrets.short}`,
        `"broken,${secrets.elsewhere}`,
      ].join('\n');
      const upload = (body: string, query = '') =>
        h.call('POST', `/v1/platform/offices/${officeId}/imports${query}`, {
          body,
          apiKey: true,
          headers: { 'content-type': 'text/csv' },
        });
      const answers = [
        await upload(file, '?dryRun=true'),
        await upload(file),
        await upload(file),
        await upload(`imported.one,${secrets.replacement},6,30,SHA512`, '?replace=true'),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      const login = await h.login('imported.two');
      const verified = await h.call('POST', '/v1/login/second-factor', {
        body: {
          challenge: login.body.challenge,
          code: independentCode(secrets.two, new Date(), { algorithm: 'SHA256', digits: 8, period: 60 }),
        },
      });
      expect(verified.status).toBe(200);

      const { texts } = await collectEverything(h.dataDir, logs, redisUrl, prefix);
      const everything = [...texts, ...answers.map((answer) => JSON.stringify(answer.body))].join('\n');
      const needles = Object.values(secrets).flatMap((secret) => [secret, secret.toLowerCase()]);
      expect(needles.filter((needle) => everything.includes(needle))).toEqual([]);
      expect(everything).toContain('TotpImported');
    } finally {
      await h.stop();
    }
  }, 90_000);
});

describe('recovery codes over HTTP', () => {
  it('S11 ten codes are shown once at enrolment, and each logs in once only', async () => {
    const h = await startHarness();
    try {
      const officeId = await h.office();
      await h.user(officeId, 'recovery.user');
      const { recoveryCodes, session } = await h.enrol('recovery.user');
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      expect((await h.call('GET', '/v1/me/two-factor', { token: session })).body).not.toHaveProperty(
        'recoveryCodes',
      );
      const use = async () => {
        const login = await h.login('recovery.user');
        return h.call('POST', '/v1/login/second-factor', {
          body: { challenge: login.body.challenge, recoveryCode: recoveryCodes[3]?.toUpperCase() },
        });
      };
      expect((await use()).status).toBe(200);
      expect((await use()).status).toBe(401);
      expect((await h.call('GET', '/v1/me/two-factor', { token: session })).body.recoveryCodesLeft).toBe(9);
    } finally {
      await h.stop();
    }
  });
});

describe.each(deployments)('device tokens of trusted browsers stay secret: $name', ({ redisUrl }) => {
  it('S8 trusting, using, listing and revoking browsers and lowering the limit leave no device token in any log, event or Redis key; the login view has only digests', async () => {
    const { h, logs, prefix } = await harnessWithLogs(redisUrl, 's8t');
    try {
      const officeId = await h.office();
      await h.user(officeId, 'trust.admin', 'office-admin');
      const admin = await h.sessionOf('trust.admin');
      const policy = (trustBrowserDays: number) =>
        h.call('PUT', `/v1/offices/${officeId}/two-factor-policy`, {
          body: { required: false, trustBrowserDays },
          token: admin,
        });
      expect((await policy(30)).status).toBe(200);
      await h.user(officeId, 'trust.keeper');
      await waitForStepWithAtLeast(20);
      const { secret, recoveryCodes } = await h.enrol('trust.keeper');
      const tokens: string[] = [];
      const trustedLogin = async (body: Record<string, unknown>) => {
        const reply = await h.call('POST', '/v1/login', { body: { username: 'trust.keeper', ...body } });
        const cookies = ([] as string[]).concat((reply.headers['set-cookie'] as string | string[]) ?? []);
        const token = /sf_trusted_browser=([^;]+)/.exec(cookies.join('\n'))?.[1];
        expect(token, JSON.stringify(reply.body)).toBeDefined();
        tokens.push(token ?? '');
        return token ?? '';
      };
      const first = await trustedLogin({ password, code: codeAt(secret, 0), trustBrowser: true });
      // With Redis the cookies are Secure by default (COOKIE_SECURE), and so `__Host-` named: send both.
      const withCookie = (token: string) => ({
        cookie: `sf_trusted_browser=${token}; __Host-sf_trusted_browser=${token}`,
      });
      const skipped = await h.call('POST', '/v1/login', {
        body: { username: 'trust.keeper', password },
        headers: withCookie(first),
      });
      expect(skipped.body, JSON.stringify(skipped.body)).toMatchObject({
        status: 'authenticated',
        viaTrustedBrowser: true,
      });
      await h.call('POST', '/v1/login', {
        body: { username: 'trust.keeper', password: 'wrong password 1' },
        headers: withCookie(first),
      });
      const challenge = await h.login('trust.keeper');
      const second = await h.call('POST', '/v1/login/second-factor', {
        body: { challenge: challenge.body.challenge, recoveryCode: recoveryCodes[0], trustBrowser: true },
      });
      tokens.push(/sf_trusted_browser=([^;]+)/.exec(String(second.headers['set-cookie']))?.[1] ?? '');
      const session = String(skipped.body.session);
      const listed = await h.call('GET', '/v1/me/trusted-browsers', {
        token: session,
        headers: withCookie(first),
      });
      const items = listed.body.items as { browserId: string }[];
      expect(items).toHaveLength(2);
      await h.call('DELETE', `/v1/me/trusted-browsers/${items[0]?.browserId}`, { token: session });
      expect((await policy(0)).status).toBe(200);

      const { texts } = await collectEverything(h.dataDir, logs, redisUrl, prefix);
      const everything = texts.join('\n');
      expect(tokens.filter((token) => token.length === 43)).toHaveLength(2);
      expect(tokens.filter((token) => everything.includes(token))).toEqual([]);
      expect(JSON.stringify(listed.body)).not.toMatch(/tokenDigest/);
    } finally {
      await h.stop();
    }
  }, 90_000);
});
