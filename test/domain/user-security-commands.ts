import fc from 'fast-check';
import type { UserSecurityCommand } from '../../src/domain/user-security/index.ts';

const userId = 'u1';
const self = { id: userId, role: 'member' as const, officeId: 'o1' };
const support = { id: 's1', role: 'support' as const, officeId: 'o9' };
const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };
const codes = (tag: number) => Array.from({ length: 10 }, (_, i) => `hash-${tag}-${i}`);
const deviceDigest = (tag: number) => tag.toString(16).padStart(64, 'd');
const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, 0) + minute * 60_000).toISOString();

/**
 * Any command a user, the application or support could send, with any outcome of its checks. Time steps
 * are near the minute's own (two per minute), so that fresh codes, replays and old codes all occur.
 * `verifyWeight` makes login attempts that much more frequent than each other command.
 */
export const commandArb = (minute: number, verifyWeight = 1): fc.Arbitrary<UserSecurityCommand> => {
  const now = at(minute);
  const check = fc.record({
    valid: fc.boolean(),
    timeStep: fc.option(fc.integer({ min: Math.max(0, 2 * minute - 4), max: 2 * minute + 2 }), {
      nil: null,
    }),
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
    {
      weight: verifyWeight,
      arbitrary: fc
        .oneof(
          check.map((c) => ({ method: 'totp' as const, ...c })),
          fc.nat(5).map((tag) => ({ method: 'recovery-code' as const, codeHash: `hash-${tag}-${tag}` })),
          fc.nat(2).map((tag) => ({ method: 'temporary-access' as const, codeHash: `temp-${tag}` })),
        )
        .chain((c) =>
          fc
            .option(
              fc.tuple(fc.nat(3), fc.integer({ min: 0, max: 30 })).map(([tag, days]) => ({
                browserId: `browser-${minute}-${tag}`,
                tokenDigest: deviceDigest(tag),
                description: 'Firefox on Linux',
                trustBrowserDays: days,
              })),
              { nil: undefined },
            )
            .map((trustBrowser) => ({
              type: 'VerifySecondFactor' as const,
              userId,
              check: c,
              ...(trustBrowser === undefined ? {} : { trustBrowser }),
              now,
              actor: self,
            })),
        ),
    },
    fc.tuple(fc.nat(3), fc.integer({ min: 0, max: 30 })).map(([tag, days]) => ({
      type: 'UseTrustedBrowser' as const,
      userId,
      tokenDigest: deviceDigest(tag),
      trustBrowserDays: days,
      now,
      actor: self,
    })),
    fc.tuple(fc.nat(minute), fc.nat(3)).map(([when, tag]) => ({
      type: 'RevokeTrustedBrowser' as const,
      userId,
      browserId: `browser-${when}-${tag}`,
      now,
      actor: self,
    })),
    fc
      .tuple(fc.constantFrom('erased' as const, 'policy-lowered' as const), fc.option(fc.nat(minute)))
      .map(([why, before]) => ({
        type: 'EndTrustedBrowsers' as const,
        userId,
        officeId: 'o1',
        why,
        trustedAtOrBefore: before === null ? null : at(before),
        now,
        actor: support,
      })),
    fc.constant({
      type: 'ResetTwoFactorBySupport' as const,
      userId,
      reason: 'lost phone',
      ticket: 'T-1',
      actor: support,
    }),
    fc.tuple(fc.nat(2), fc.integer({ min: 1, max: 30 })).map(([tag, minutes]) => ({
      type: 'IssueTemporaryAccess' as const,
      userId,
      codeHash: `temp-${tag}`,
      expiresAt: at(minute + minutes),
      reason: 'lost phone',
      ticket: 'T-2',
      now,
      actor: support,
    })),
    fc.constant({
      type: 'EndTemporaryAccess' as const,
      userId,
      reason: 'found it',
      ticket: 'T-3',
      now,
      actor: support,
    }),
    fc.constant({ type: 'FreezeAccount' as const, userId, now, actor: self }),
    fc.constant({
      type: 'UnfreezeAccount' as const,
      userId,
      reason: 'checked',
      ticket: 'T-4',
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

/** 1 to `maxLength` commands, each a few minutes after the one before. */
export const sequenceArb = (maxLength = 40, verifyWeight = 1): fc.Arbitrary<UserSecurityCommand[]> =>
  fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength }).chain((gaps) => {
    const minutes = gaps.map((_, index) => gaps.slice(0, index + 1).reduce((sum, gap) => sum + gap, 0));
    return fc.tuple(...minutes.map((minute) => commandArb(minute, verifyWeight)));
  });

/**
 * A user's life: enrolled first, then `minLength` to `maxLength` commands, mostly logins (right, wrong,
 * replayed codes, recovery codes, lock-outs), with now and then a re-enrolment, disable, reset or new codes.
 */
export const historyArb = (minLength: number, maxLength: number): fc.Arbitrary<UserSecurityCommand[]> => {
  const enrol: UserSecurityCommand[] = [
    { type: 'StartTotpEnrollment', userId, enrollmentId: 'e0', secret, now: at(0), actor: self },
    {
      type: 'ConfirmTotpEnrollment',
      userId,
      enrollmentId: 'e0',
      check: { valid: true, timeStep: 0 },
      recoveryCodeHashes: codes(0),
      now: at(0),
      actor: self,
    },
  ];
  return fc
    .array(fc.integer({ min: 0, max: 3 }), { minLength, maxLength, size: 'max' })
    .chain((gaps) => {
      const minutes = gaps.map((_, index) => 1 + gaps.slice(0, index + 1).reduce((sum, gap) => sum + gap, 0));
      return fc.tuple(...minutes.map((minute) => commandArb(minute, 30)));
    })
    .map((commands) => [...enrol, ...commands]);
};
