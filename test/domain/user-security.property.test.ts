import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/actor.ts';
import { isDomainError } from '../../src/domain/shared/domain-error.ts';
import type { UserSecurityEvent } from '../../src/domain/user-security/events.ts';
import {
  type SecondFactorCheck,
  type UserSecurityState,
  userSecurityDecider,
} from '../../src/domain/user-security/index.ts';
import { failuresBeforeLockout, lockoutDurationMs } from '../../src/domain/user-security/policy.ts';
import { fold } from './spec.ts';

const userId = 'user-1';
const self: Actor = { id: userId, role: 'member' };
const t0 = Date.parse('2026-11-26T10:00:00.000Z');
const enrolStep = 1_000;
const recoveryCodes = Array.from({ length: 10 }, (_, i) => `rc-${i}`);

const enrolled: UserSecurityEvent[] = [
  {
    type: 'TotpEnrollmentStarted',
    data: {
      userId,
      enrollmentId: 'e1',
      secret: { keyId: 'k', iv: 'i', ciphertext: 'c', tag: 't' },
      startedAt: new Date(t0).toISOString(),
      expiresAt: new Date(t0 + 600_000).toISOString(),
    },
  },
  {
    type: 'TotpEnrolled',
    data: { userId, enrollmentId: 'e1', enrolledAt: new Date(t0).toISOString(), acceptedStep: enrolStep },
  },
  { type: 'RecoveryCodesIssued', data: { userId, enrollmentId: 'e1', codeHashes: recoveryCodes } },
];

/** One login attempt: a TOTP code (right or wrong, for some step near the enrolment) or a recovery code. */
const attemptArb = fc.record({
  waitMs: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 30_000 }),
    fc.integer({ min: 0, max: 4_000_000 }),
  ),
  check: fc.oneof(
    fc.record({
      method: fc.constant('totp' as const),
      valid: fc.boolean(),
      timeStep: fc.option(fc.integer({ min: enrolStep - 5, max: enrolStep + 40 }), { nil: null }),
    }),
    fc.record({
      method: fc.constant('recovery-code' as const),
      codeHash: fc.constantFrom(...recoveryCodes, 'rc-wrong', 'rc-10'),
    }),
  ) as fc.Arbitrary<SecondFactorCheck>,
});

type Outcome = {
  now: number;
  check: SecondFactorCheck;
  before: UserSecurityState;
  events: UserSecurityEvent[] | 'locked-out';
};

/** Runs the attempts through decide/evolve, as the application would, and records what happened. */
const run = (attempts: { waitMs: number; check: SecondFactorCheck }[]) => {
  let state = fold(userSecurityDecider, enrolled);
  let now = t0 + 60_000;
  const outcomes: Outcome[] = [];
  for (const { waitMs, check } of attempts) {
    now += waitMs;
    const before = state;
    try {
      const events = userSecurityDecider.decide(
        { type: 'VerifySecondFactor', userId, check, now: new Date(now).toISOString(), actor: self },
        state,
      );
      state = events.reduce(userSecurityDecider.evolve, state);
      outcomes.push({ now, check, before, events });
    } catch (error) {
      if (!isDomainError(error, 'locked-out')) throw error;
      outcomes.push({ now, check, before, events: 'locked-out' });
    }
  }
  return { outcomes, state };
};

const attemptsArb = fc.array(attemptArb, { minLength: 1, maxLength: 60 });

describe('user security properties (any sequence of verify attempts)', () => {
  it('a lock-out happens only on the 5th consecutive failure since the last success or lock-out', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        let sinceLastLockOrSuccess = 0;
        for (const { events } of run(attempts).outcomes) {
          if (events === 'locked-out') continue;
          for (const event of events) {
            if (event.type === 'SecondFactorVerified') sinceLastLockOrSuccess = 0;
            if (event.type === 'SecondFactorRejected') sinceLastLockOrSuccess += 1;
            if (event.type === 'SecondFactorLockedOut') {
              expect(sinceLastLockOrSuccess).toBe(failuresBeforeLockout);
              sinceLastLockOrSuccess = 0;
            }
          }
          expect(sinceLastLockOrSuccess).toBeLessThan(failuresBeforeLockout);
        }
      }),
    );
  });

  it('lockedUntil is set only by a lock-out, for the back-off duration of its lock-out count', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        for (const { now, before, events } of run(attempts).outcomes) {
          if (events === 'locked-out') continue;
          const after = events.reduce(userSecurityDecider.evolve, before);
          const lock = events.find((event) => event.type === 'SecondFactorLockedOut');
          if (lock === undefined) {
            expect(after.lockedUntil === null || after.lockedUntil === before.lockedUntil).toBe(true);
          } else {
            expect(after.consecutiveFailures % failuresBeforeLockout).toBe(0);
            expect(after.consecutiveFailures).toBeGreaterThanOrEqual(failuresBeforeLockout);
            expect(lock.data.lockoutCount).toBe(before.lockoutCount + 1);
            expect(Date.parse(lock.data.lockedUntil) - now).toBe(lockoutDurationMs(lock.data.lockoutCount));
          }
        }
      }),
    );
  });

  it('while locked out nothing is decided; once the lock ends, checks are decided again', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        for (const { now, before, events } of run(attempts).outcomes) {
          const locked = before.lockedUntil !== null && now < Date.parse(before.lockedUntil);
          expect(events === 'locked-out').toBe(locked);
        }
      }),
    );
  });

  it('accepted TOTP time steps strictly increase (no replay is ever accepted)', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        let last = enrolStep;
        for (const { events } of run(attempts).outcomes) {
          if (events === 'locked-out') continue;
          for (const event of events) {
            if (event.type === 'SecondFactorVerified' && event.data.method === 'totp') {
              expect(event.data.timeStep).not.toBeNull();
              expect(event.data.timeStep ?? -1).toBeGreaterThan(last);
              last = event.data.timeStep ?? last;
            }
          }
        }
      }),
    );
  });

  it('every valid, newer code outside a lock-out is accepted; everything else is rejected', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        for (const { check, before, events } of run(attempts).outcomes) {
          if (events === 'locked-out') continue;
          const accepted = events.some((event) => event.type === 'SecondFactorVerified');
          const rejected = events.some((event) => event.type === 'SecondFactorRejected');
          expect(accepted).not.toBe(rejected);
          if (accepted) expect(events.some((e) => e.type === 'SecondFactorLockedOut')).toBe(false);
          const shouldPass =
            check.method === 'totp'
              ? check.valid &&
                check.timeStep !== null &&
                (before.lastAcceptedStep === null || check.timeStep > before.lastAcceptedStep)
              : before.unusedRecoveryCodes.includes(check.codeHash);
          expect(accepted).toBe(shouldPass);
        }
      }),
    );
  });

  it('each recovery code logs in at most once', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        const used = new Set<string>();
        const { outcomes, state } = run(attempts);
        for (const { events } of outcomes) {
          if (events === 'locked-out') continue;
          for (const event of events) {
            if (event.type !== 'RecoveryCodeUsed') continue;
            expect(used.has(event.data.codeHash)).toBe(false);
            expect(recoveryCodes).toContain(event.data.codeHash);
            used.add(event.data.codeHash);
          }
        }
        expect(state.unusedRecoveryCodes).toEqual(recoveryCodes.filter((code) => !used.has(code)));
      }),
    );
  });

  it('a success clears the failure count and the back-off', () => {
    fc.assert(
      fc.property(attemptsArb, (attempts) => {
        for (const { before, events } of run(attempts).outcomes) {
          if (events === 'locked-out') continue;
          const after = events.reduce(userSecurityDecider.evolve, before);
          if (events.some((event) => event.type === 'SecondFactorVerified')) {
            expect(after).toMatchObject({ consecutiveFailures: 0, lockoutCount: 0, lockedUntil: null });
          } else {
            expect(after.consecutiveFailures).toBe(before.consecutiveFailures + 1);
          }
        }
      }),
    );
  });
});
