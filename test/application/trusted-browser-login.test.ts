import { describe, expect, it } from 'vitest';
import { RandomTokens } from '../../src/adapters/crypto/random-tokens.ts';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemorySessionStore } from '../../src/adapters/memory/memory-session-store.ts';
import { handleCommand } from '../../src/application/handle-command.ts';
import type { LoginLookup, ReadModels } from '../../src/application/ports/read-models.ts';
import {
  loginThrottleBucket,
  throttleBucket,
} from '../../src/application/trusted-browsers/login-throttle.ts';
import { skipCodeWithTrustedBrowser } from '../../src/application/trusted-browsers/skip-code.ts';
import { dayMs } from '../../src/domain/shared/browser-trust.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { type UserSecurityCommand, userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { commandDeps } from './command-deps.ts';

const userId = 'u-alice';
const now = new Date('2026-11-26T10:00:00.000Z');
const clock = { now: () => now };
const tokens = new RandomTokens();
const actor = { id: userId, role: 'member' as const, officeId: 'o1' };
const deviceToken = tokens.issue();
const tokenDigest = tokens.digest(deviceToken);

const lookup = (trusted: boolean, trustBrowserDays = 30): LoginLookup => ({
  user: {
    userId,
    officeId: 'o1',
    username: 'alice',
    role: 'member',
    passwordHash: 'sealed',
    twoFactor: 'enrolled',
    enrollmentId: 'e1',
    enrolledAt: now.toISOString(),
    secret: null,
    totpParameters: null,
    lastAcceptedStep: null,
    lockedUntil: null,
    recoveryCodesLeft: 10,
    trustedBrowsers: trusted
      ? [
          {
            browserId: 'b1',
            tokenDigest,
            trustedAt: now.toISOString(),
            expiresAt: new Date(now.getTime() + 30 * dayMs).toISOString(),
          },
        ]
      : [],
  },
  office: { officeId: 'o1', name: 'Gent', required: false, enforceFrom: null, trustBrowserDays, revision: 1 },
});

/** Alice's office started a re-enrolment campaign after her enrolment; its deadline is `deadline`. */
const underCampaign = (deadline: Date): LoginLookup => {
  const base = lookup(true);
  const startedAt = new Date(now.getTime() + 1000).toISOString();
  return {
    ...base,
    office: base.office && {
      ...base.office,
      reenrollment: { startedAt, deadline: deadline.toISOString(), reason: 'phishing' },
    },
  };
};

const readModelsAnswering = (answer: () => Promise<LoginLookup | null>) =>
  ({ loginByUsername: answer, loginByUserId: answer }) as unknown as ReadModels;

/** Alice enrolled and trusted a browser (the stream as the decider writes it). */
const storeWithTrust = async () => {
  const events = new MemoryEventStore();
  const deps = commandDeps(events);
  const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };
  const iso = now.toISOString();
  const commands: UserSecurityCommand[] = [
    { type: 'StartTotpEnrollment', userId, enrollmentId: 'e1', secret, now: iso, actor },
    {
      type: 'ConfirmTotpEnrollment',
      userId,
      enrollmentId: 'e1',
      check: { valid: true, timeStep: 1 },
      recoveryCodeHashes: Array.from({ length: 10 }, (_, i) => `h${i}`),
      now: iso,
      actor,
    },
    {
      type: 'VerifySecondFactor',
      userId,
      check: { method: 'totp', valid: true, timeStep: 2 },
      trustBrowser: { browserId: 'b1', tokenDigest, description: 'Firefox on Linux', trustBrowserDays: 30 },
      now: iso,
      actor,
    },
  ];
  for (const command of commands)
    await handleCommand(deps, userSecurityDecider, userSecurityStream(userId), () => command, {
      actor,
      correlationId: 'c1',
    });
  return events;
};

/** A fixed window of `max` attempts per bucket, as @fastify/rate-limit counts them. */
const window = (max: number) => {
  const counts = new Map<string, number>();
  return (bucket: string): 'allowed' | 'refused' => {
    const count = (counts.get(bucket) ?? 0) + 1;
    counts.set(bucket, count);
    return count <= max ? 'allowed' : 'refused';
  };
};

describe('throttle buckets (OWASP device cookies)', () => {
  it('given a stranger exhausted alice’s account limit, when alice’s trusted browser tries, then it is allowed', () => {
    const attempt = window(10);
    for (let i = 0; i < 10; i++) expect(attempt(throttleBucket('alice', null))).toBe('allowed');
    expect(attempt(throttleBucket('Alice', null))).toBe('refused');
    expect(attempt(throttleBucket('alice', tokenDigest))).toBe('allowed');
  });

  it('given alice’s trusted browser used up its own bucket, when a stranger tries, then the account bucket still counts from zero', () => {
    const attempt = window(2);
    attempt(throttleBucket('alice', tokenDigest));
    attempt(throttleBucket('alice', tokenDigest));
    expect(attempt(throttleBucket('alice', tokenDigest))).toBe('refused');
    expect(attempt(throttleBucket('alice', null))).toBe('allowed');
  });

  it('puts a token the read models vouch for on its own bucket, anything else on the account’s', async () => {
    const bucketOf = (answer: () => Promise<LoginLookup | null>) =>
      loginThrottleBucket({ readModels: readModelsAnswering(answer), deviceTokens: tokens, clock });
    expect(await bucketOf(async () => lookup(true))('alice', deviceToken)).toBe(
      `trusted-browser:${tokenDigest}`,
    );
    expect(await bucketOf(async () => lookup(true))('alice', undefined)).toBe('account:alice');
    expect(await bucketOf(async () => lookup(false))('alice', deviceToken)).toBe('account:alice');
    expect(await bucketOf(async () => lookup(true, 0))('alice', deviceToken)).toBe('account:alice');
    expect(await bucketOf(async () => null)('alice', deviceToken)).toBe('account:alice');
    expect(await bucketOf(async () => underCampaign(now))('alice', deviceToken)).toBe('account:alice');
    const failing = bucketOf(() => Promise.reject(new Error('Redis down')));
    expect(await failing('alice', deviceToken)).toBe('account:alice');
  });
});

describe('skipping the code fails closed', () => {
  const skipWith = async (overrides: {
    readModels?: ReadModels;
    events?: MemoryEventStore;
    sessions?: MemorySessionStore;
  }) => {
    const events = overrides.events ?? (await storeWithTrust());
    const sessions = overrides.sessions ?? new MemorySessionStore(tokens, clock);
    const challenge = await sessions.createChallenge(
      { userId, kind: 'second-factor', createdAt: now.toISOString() },
      60,
    );
    const errors: unknown[] = [];
    const skip = skipCodeWithTrustedBrowser(
      {
        ...commandDeps(events),
        clock,
        readModels: overrides.readModels ?? readModelsAnswering(async () => lookup(true)),
        sessions,
        settings: {
          sessionTtlSeconds: 60,
          challengeTtlSeconds: 60,
          temporaryAccessHours: 24,
          supportApproval: 'off',
        },
        deviceTokens: tokens,
      },
      (error) => errors.push(error),
    );
    return { result: await skip(userId, deviceToken, challenge, { correlationId: 'c2' }), events, errors };
  };

  it('given a valid trust, when the right password came with its token, then a session and TrustedBrowserUsed', async () => {
    const { result, events } = await skipWith({});
    expect(result?.user.userId).toBe(userId);
    const types = (await events.readStream(userSecurityStream(userId))).map((event) => event.type);
    expect(types.at(-1)).toBe('TrustedBrowserUsed');
    expect(JSON.stringify(await events.readStream(userSecurityStream(userId)))).not.toContain(deviceToken);
  });

  it('given read models that cannot answer, then no skip', async () => {
    const { result, errors } = await skipWith({
      readModels: readModelsAnswering(() => Promise.reject(new Error('Redis down'))),
    });
    expect(result).toBeNull();
    expect(errors).toHaveLength(1);
  });

  it('given read models that still show a trust the stream no longer has, then no skip', async () => {
    const { result, events } = await skipWith({ events: new MemoryEventStore() });
    expect(result).toBeNull();
    expect(await events.readStream(userSecurityStream(userId))).toEqual([]);
  });

  it('given an event store that refuses the append, then no skip', async () => {
    const events = await storeWithTrust();
    events.append = () => Promise.reject(new Error('store down'));
    const { result, errors } = await skipWith({ events });
    expect(result).toBeNull();
    expect(errors).toHaveLength(1);
  });

  it('given a campaign deadline at now and an enrolment from before the campaign, then no skip and no event', async () => {
    const events = await storeWithTrust();
    const before = (await events.readStream(userSecurityStream(userId))).length;
    const { result } = await skipWith({
      events,
      readModels: readModelsAnswering(async () => underCampaign(now)),
    });
    expect(result).toBeNull();
    expect(await events.readStream(userSecurityStream(userId))).toHaveLength(before);
  });

  it('given the campaign deadline a millisecond after now, then the trust still skips the code', async () => {
    const soon = new Date(now.getTime() + 1);
    const { result } = await skipWith({ readModels: readModelsAnswering(async () => underCampaign(soon)) });
    expect(result?.user.userId).toBe(userId);
  });

  it('given a challenge already used, then no session', async () => {
    const sessions = new MemorySessionStore(tokens, clock);
    sessions.consumeChallengeForSession = async () => null;
    const { result } = await skipWith({ sessions });
    expect(result).toBeNull();
  });
});
