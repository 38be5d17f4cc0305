import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { userSecurityEventSchemas } from '../../src/domain/user-security/events.ts';
import {
  type UserSecurityCommand,
  type UserSecurityState,
  userSecurityDecider,
} from '../../src/domain/user-security/index.ts';

const userId = 'u1';
const self = { id: userId, role: 'member' as const, officeId: 'o1' };
const support = { id: 's1', role: 'support' as const, officeId: 'o9' };
const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };
const codes = (tag: number) => Array.from({ length: 10 }, (_, i) => `hash-${tag}-${i}`);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, 0) + minute * 60_000).toISOString();

/** Any command a user, the application or support could send, with any outcome of its checks. */
const commandArb = (minute: number): fc.Arbitrary<UserSecurityCommand> => {
  const now = at(minute);
  const check = fc.record({
    valid: fc.boolean(),
    timeStep: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  });
  const proof = fc.oneof(
    check.map((c) => ({ kind: 'code' as const, ...c })),
    fc.boolean().map((valid) => ({ kind: 'password' as const, valid })),
  );
  const enrollmentId = fc.constantFrom('e1', 'e2', 'e3');
  return fc.oneof(
    enrollmentId.map((id) => ({
      type: 'StartTotpEnrollment' as const,
      userId,
      enrollmentId: id,
      secret,
      now,
      actor: self,
    })),
    fc.tuple(enrollmentId, check, fc.nat(5)).map(([id, c, tag]) => ({
      type: 'ConfirmTotpEnrollment' as const,
      userId,
      enrollmentId: id,
      check: c,
      recoveryCodeHashes: codes(tag),
      now,
      actor: self,
    })),
    fc.tuple(proof, fc.boolean()).map(([p, required]) => ({
      type: 'DisableTotp' as const,
      userId,
      proof: p,
      officeRequiresTwoFactor: required,
      now,
      actor: self,
    })),
    fc
      .oneof(
        check.map((c) => ({ method: 'totp' as const, ...c })),
        fc.nat(5).map((tag) => ({ method: 'recovery-code' as const, codeHash: `hash-${tag}-${tag}` })),
      )
      .map((c) => ({ type: 'VerifySecondFactor' as const, userId, check: c, now, actor: self })),
    fc.constant({
      type: 'ResetTwoFactorBySupport' as const,
      userId,
      reason: 'lost phone',
      ticket: 'T-1',
      actor: support,
    }),
    fc.tuple(proof, fc.nat(5)).map(([p, tag]) => ({
      type: 'RegenerateRecoveryCodes' as const,
      userId,
      proof: p,
      recoveryCodeHashes: codes(tag),
      now,
      actor: self,
    })),
  );
};

const sequenceArb = fc
  .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 })
  .chain((gaps) => {
    const minutes = gaps.map((_, index) => gaps.slice(0, index + 1).reduce((sum, gap) => sum + gap, 0));
    return fc.tuple(...minutes.map((minute) => commandArb(minute)));
  });

const invariantsHold = (state: UserSecurityState) => {
  if (state.enrollment !== null) expect(state.enrollment.secret.ciphertext).not.toBe('');
  if (state.enrollment === null) expect(state.unusedRecoveryCodes).toEqual([]);
  expect(state.unusedRecoveryCodes.length).toBeLessThanOrEqual(10);
  expect(new Set(state.unusedRecoveryCodes).size).toBe(state.unusedRecoveryCodes.length);
  expect(state.consecutiveFailures).toBeGreaterThanOrEqual(0);
};

describe('user security under any command sequence', () => {
  it('never reaches a broken state, never disables while the office requires 2FA, and only writes valid events', () => {
    fc.assert(
      fc.property(sequenceArb, (commands) => {
        let state = userSecurityDecider.initialState();
        for (const command of commands) {
          let events: ReturnType<typeof userSecurityDecider.decide> = [];
          try {
            events = userSecurityDecider.decide(command, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          if (command.type === 'DisableTotp' && command.officeRequiresTwoFactor) {
            expect(events.map((event) => event.type)).not.toContain('TotpDisabled');
          }
          for (const event of events) {
            expect(userSecurityEventSchemas[event.type].safeParse(event.data).success, event.type).toBe(true);
          }
          const before = state.lastAcceptedStep;
          state = events.reduce(userSecurityDecider.evolve, state);
          const cleared = events.some(
            (event) => event.type === 'TotpDisabled' || event.type === 'SupportReset',
          );
          if (!cleared && before !== null && state.lastAcceptedStep !== null) {
            expect(state.lastAcceptedStep).toBeGreaterThanOrEqual(before);
          }
          invariantsHold(state);
        }
      }),
      { numRuns: 500 },
    );
  });
});
