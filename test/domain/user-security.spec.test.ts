import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/actor.ts';
import type { EncryptedSecret } from '../../src/domain/shared/encrypted-secret.ts';
import type { UserSecurityEvent } from '../../src/domain/user-security/events.ts';
import {
  type CodeCheck,
  type Proof,
  type SecondFactorCheck,
  type UserSecurityCommand,
  userSecurityDecider,
} from '../../src/domain/user-security/index.ts';
import {
  enrollmentLifetimeMs,
  failuresBeforeLockout,
  lockoutDurationsMs,
} from '../../src/domain/user-security/policy.ts';
import type { TotpParameters } from '../../src/domain/user-security/totp-parameters.ts';
import { fold, spec } from './spec.ts';

const userId = 'user-1';
const self: Actor = { id: userId, role: 'member', officeId: 'office-1' };
const otherUser: Actor = { id: 'user-2', role: 'member', officeId: 'office-1' };
const admin: Actor = { id: 'admin-1', role: 'office-admin', officeId: 'office-1' };
const support: Actor = { id: 'support-1', role: 'support' };
const secret: EncryptedSecret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };

const t0 = '2026-11-26T10:00:00.000Z';
const at = (ms: number): string => new Date(Date.parse(t0) + ms).toISOString();
const minutes = (n: number): number => n * 60_000;

const enrollmentId = 'enrol-1';
const firstStep = 59_000_000;
const codes = (prefix: string): string[] => Array.from({ length: 10 }, (_, i) => `${prefix}-hash-${i}`);
const recoveryCodes = codes('rc');

const valid = (timeStep: number): CodeCheck => ({ valid: true, timeStep });
const invalid: CodeCheck = { valid: false, timeStep: null };
const totp = (check: CodeCheck): SecondFactorCheck => ({ method: 'totp', ...check });
const recovery = (codeHash: string): SecondFactorCheck => ({ method: 'recovery-code', codeHash });
const codeProof = (check: CodeCheck): Proof => ({ kind: 'code', ...check });
const passwordProof = (ok: boolean): Proof => ({ kind: 'password', valid: ok });

// --- events ---------------------------------------------------------------------------------------
const started = (id = enrollmentId, now = t0): UserSecurityEvent => ({
  type: 'TotpEnrollmentStarted',
  data: {
    userId,
    enrollmentId: id,
    secret,
    startedAt: now,
    expiresAt: at(Date.parse(now) - Date.parse(t0) + enrollmentLifetimeMs),
  },
});
const enrolled = (step = firstStep, id = enrollmentId, now = at(minutes(1))): UserSecurityEvent => ({
  type: 'TotpEnrolled',
  data: { userId, enrollmentId: id, enrolledAt: now, acceptedStep: step },
});
const issued = (hashes = recoveryCodes, id = enrollmentId): UserSecurityEvent => ({
  type: 'RecoveryCodesIssued',
  data: { userId, enrollmentId: id, codeHashes: hashes },
});
const verified = (timeStep: number | null): UserSecurityEvent => ({
  type: 'SecondFactorVerified',
  data: { userId, method: timeStep === null ? 'recovery-code' : 'totp', timeStep },
});
const rejectedEvent = (
  consecutiveFailures: number,
  reason: 'invalid-code' | 'code-already-used' | 'invalid-recovery-code' = 'invalid-code',
): UserSecurityEvent => ({ type: 'SecondFactorRejected', data: { userId, reason, consecutiveFailures } });
const lockedOut = (lockoutCount: number, lockedUntil: string): UserSecurityEvent => ({
  type: 'SecondFactorLockedOut',
  data: { userId, lockoutCount, lockedUntil },
});
/** n consecutive rejections, with the lock-out events the decider would have added. */
const failures = (from: number, n: number): UserSecurityEvent[] =>
  Array.from({ length: n }, (_, i) => rejectedEvent(from + i));

const enrolledUser: UserSecurityEvent[] = [started(), enrolled(), issued()];

// --- commands -------------------------------------------------------------------------------------
const start = (now = t0, id = enrollmentId, actor = self): UserSecurityCommand => ({
  type: 'StartTotpEnrollment',
  userId,
  enrollmentId: id,
  secret,
  now,
  actor,
});
const confirm = (
  check: CodeCheck,
  now = at(minutes(1)),
  id = enrollmentId,
  hashes = recoveryCodes,
  actor = self,
): UserSecurityCommand => ({
  type: 'ConfirmTotpEnrollment',
  userId,
  enrollmentId: id,
  check,
  recoveryCodeHashes: hashes,
  now,
  actor,
});
const verify = (check: SecondFactorCheck, now = at(minutes(2)), actor = self): UserSecurityCommand => ({
  type: 'VerifySecondFactor',
  userId,
  check,
  now,
  actor,
});
const disable = (
  proof: Proof,
  officeRequiresTwoFactor = false,
  now = at(minutes(2)),
  actor = self,
): UserSecurityCommand => ({ type: 'DisableTotp', userId, proof, officeRequiresTwoFactor, now, actor });
const supportReset = (actor = support, reason = 'Lost phone', ticket = 'SUP-42'): UserSecurityCommand => ({
  type: 'ResetTwoFactorBySupport',
  userId,
  reason,
  ticket,
  actor,
});
const regenerate = (
  proof: Proof,
  hashes = codes('new'),
  now = at(minutes(2)),
  actor = self,
): UserSecurityCommand => ({
  type: 'RegenerateRecoveryCodes',
  userId,
  proof,
  recoveryCodeHashes: hashes,
  now,
  actor,
});

const security = spec(userSecurityDecider);

describe('user security: starting an enrolment', () => {
  it('a user starts an enrolment that expires after 10 minutes', () => {
    security
      .given([])
      .when(start())
      .then([
        {
          type: 'TotpEnrollmentStarted',
          data: { userId, enrollmentId, secret, startedAt: t0, expiresAt: '2026-11-26T10:10:00.000Z' },
        },
      ]);
  });

  it('a started enrolment may be restarted before it is confirmed', () => {
    security
      .given([started()])
      .when(start(at(minutes(3)), 'enrol-2'))
      .then([started('enrol-2', at(minutes(3)))]);
  });

  it('no second enrolment while enrolled', () => {
    security
      .given(enrolledUser)
      .when(start(at(minutes(5)), 'enrol-2'))
      .thenFails('already-enrolled');
  });

  it('users start only their own enrolment', () => {
    security
      .given([])
      .when(start(t0, enrollmentId, otherUser))
      .thenFails('not-permitted');
    security
      .given([])
      .when(start(t0, enrollmentId, support))
      .thenFails('not-permitted');
  });
});

describe('user security: confirming an enrolment', () => {
  it('a valid code within 10 minutes enrols the user, records its step and issues recovery codes', () => {
    security
      .given([started()])
      .when(confirm(valid(firstStep), at(minutes(1))))
      .then([enrolled(firstStep, enrollmentId, at(minutes(1))), issued()]);
  });

  it('a valid code just before the 10 minutes are over still enrols', () => {
    const justBefore = at(enrollmentLifetimeMs - 1);
    security
      .given([started()])
      .when(confirm(valid(firstStep), justBefore))
      .then([enrolled(firstStep, enrollmentId, justBefore), issued()]);
  });

  it('the enrolment expires after 10 minutes', () => {
    security
      .given([started()])
      .when(confirm(valid(firstStep), at(minutes(10))))
      .thenFails('enrollment-expired');
    security
      .given([started()])
      .when(confirm(valid(firstStep), at(minutes(11))))
      .thenFails('enrollment-expired');
  });

  it('a restarted enrolment gets its own 10 minutes', () => {
    security
      .given([started(), started('enrol-2', at(minutes(8)))])
      .when(confirm(valid(firstStep), at(minutes(15)), 'enrol-2'))
      .then([enrolled(firstStep, 'enrol-2', at(minutes(15))), issued(recoveryCodes, 'enrol-2')]);
  });

  it('an unknown enrolment id is not found', () => {
    security
      .given([started()])
      .when(confirm(valid(firstStep), at(minutes(1)), 'enrol-x'))
      .thenFails('enrollment-not-found');
  });

  it('a superseded enrolment id is not found', () => {
    security
      .given([started(), started('enrol-2', at(minutes(1)))])
      .when(confirm(valid(firstStep), at(minutes(2)), enrollmentId))
      .thenFails('enrollment-not-found');
  });

  it('confirming without a started enrolment is not found', () => {
    security
      .given([])
      .when(confirm(valid(firstStep)))
      .thenFails('enrollment-not-found');
  });

  it('an invalid code does not enrol', () => {
    security.given([started()]).when(confirm(invalid)).thenFails('invalid-code');
    security
      .given([started()])
      .when(confirm({ valid: true, timeStep: null }))
      .thenFails('invalid-code');
  });

  it('confirming while already enrolled is rejected', () => {
    security
      .given(enrolledUser)
      .when(confirm(valid(firstStep + 5)))
      .thenFails('already-enrolled');
  });

  it('an enrolment needs exactly 10 recovery codes', () => {
    security
      .given([started()])
      .when(confirm(valid(firstStep), at(minutes(1)), enrollmentId, codes('rc').slice(0, 9)))
      .thenFails('invalid-command');
  });

  it('users confirm only their own enrolment', () => {
    security
      .given([started()])
      .when(confirm(valid(firstStep), at(minutes(1)), enrollmentId, recoveryCodes, otherUser))
      .thenFails('not-permitted');
  });
});

describe('user security: verifying a TOTP code', () => {
  it('a valid, newer code is accepted with its time step', () => {
    security
      .given(enrolledUser)
      .when(verify(totp(valid(firstStep + 1))))
      .then([verified(firstStep + 1)]);
  });

  it('the code that confirmed the enrolment cannot log in (replay)', () => {
    security
      .given(enrolledUser)
      .when(verify(totp(valid(firstStep))))
      .then([rejectedEvent(1, 'code-already-used')]);
  });

  it('a code whose time step is at or before the last accepted step is a replay', () => {
    const given = [...enrolledUser, verified(firstStep + 10)];
    security
      .given(given)
      .when(verify(totp(valid(firstStep + 10))))
      .then([rejectedEvent(1, 'code-already-used')]);
    security
      .given(given)
      .when(verify(totp(valid(firstStep + 9))))
      .then([rejectedEvent(1, 'code-already-used')]);
    security
      .given(given)
      .when(verify(totp(valid(firstStep + 11))))
      .then([verified(firstStep + 11)]);
  });

  it('a recovery-code login does not move the last accepted step', () => {
    security
      .given([
        ...enrolledUser,
        verified(firstStep + 10),
        { type: 'RecoveryCodeUsed', data: { userId, codeHash: 'rc-hash-0' } },
        verified(null),
      ])
      .when(verify(totp(valid(firstStep + 10))))
      .then([rejectedEvent(1, 'code-already-used')]);
  });

  it('an invalid code is rejected and counted', () => {
    security
      .given(enrolledUser)
      .when(verify(totp(invalid)))
      .then([rejectedEvent(1)]);
    security
      .given([...enrolledUser, ...failures(1, 2)])
      .when(verify(totp(invalid)))
      .then([rejectedEvent(3)]);
  });

  it('a user without 2FA has nothing to verify', () => {
    security
      .given([])
      .when(verify(totp(valid(firstStep))))
      .thenFails('not-enrolled');
    security
      .given([started()])
      .when(verify(totp(valid(firstStep))))
      .thenFails('not-enrolled');
  });

  it('users verify only their own second factor', () => {
    security
      .given(enrolledUser)
      .when(verify(totp(valid(firstStep + 1)), at(minutes(2)), otherUser))
      .thenFails('not-permitted');
  });
});

describe('user security: lock-out', () => {
  it(`the ${failuresBeforeLockout}th consecutive rejection locks the second factor for 1 minute`, () => {
    const now = at(minutes(2));
    security
      .given([...enrolledUser, ...failures(1, failuresBeforeLockout - 1)])
      .when(verify(totp(invalid), now))
      .then([rejectedEvent(5), lockedOut(1, at(minutes(2) + lockoutDurationsMs[0]))]);
    expect(lockoutDurationsMs[0]).toBe(60_000);
  });

  it('wrong codes offered as proof to disable or regenerate count towards the lock-out too', () => {
    security
      .given([...enrolledUser, ...failures(1, 4)])
      .when(disable(codeProof(invalid)))
      .then([rejectedEvent(5), lockedOut(1, at(minutes(2) + 60_000))]);
    security
      .given([...enrolledUser, ...failures(1, 4)])
      .when(regenerate(codeProof(invalid)))
      .then([rejectedEvent(5), lockedOut(1, at(minutes(2) + 60_000))]);
  });

  it('replays and wrong recovery codes count towards the lock-out too', () => {
    security
      .given([...enrolledUser, ...failures(1, 4)])
      .when(verify(totp(valid(firstStep))))
      .then([rejectedEvent(5, 'code-already-used'), lockedOut(1, at(minutes(2) + 60_000))]);
    security
      .given([...enrolledUser, ...failures(1, 4)])
      .when(verify(recovery('not-a-code')))
      .then([rejectedEvent(5, 'invalid-recovery-code'), lockedOut(1, at(minutes(2) + 60_000))]);
  });

  const firstLock = at(minutes(2) + 60_000);
  const lockedOnce = [...enrolledUser, ...failures(1, 4), rejectedEvent(5), lockedOut(1, firstLock)];

  it('checks while locked out are refused, even with a valid code', () => {
    security
      .given(lockedOnce)
      .when(verify(totp(valid(firstStep + 1)), at(minutes(2) + 59_999)))
      .thenFails('locked-out');
    security
      .given(lockedOnce)
      .when(verify(recovery('rc-hash-0'), at(minutes(2) + 30_000)))
      .thenFails('locked-out');
  });

  it('after the lock-out ends, a valid code is accepted', () => {
    security
      .given(lockedOnce)
      .when(verify(totp(valid(firstStep + 1)), firstLock))
      .then([verified(firstStep + 1)]);
  });

  it('each further lock-out since the last success lasts longer (1, 5, 15, 60, 60 minutes)', () => {
    expect(lockoutDurationsMs).toEqual([minutes(1), minutes(5), minutes(15), minutes(60)]);
    let history: UserSecurityEvent[] = [...enrolledUser];
    let now = Date.parse(at(minutes(2)));
    const expected = [minutes(1), minutes(5), minutes(15), minutes(60), minutes(60)];
    for (const [index, duration] of expected.entries()) {
      const lockoutCount = index + 1;
      const consecutive = lockoutCount * failuresBeforeLockout;
      const given = [...history, ...failures(consecutive - 4, 4)];
      const nowIso = new Date(now).toISOString();
      const lockedUntil = new Date(now + duration).toISOString();
      security
        .given(given)
        .when(verify(totp(invalid), nowIso))
        .then([rejectedEvent(consecutive), lockedOut(lockoutCount, lockedUntil)]);
      history = [...given, rejectedEvent(consecutive), lockedOut(lockoutCount, lockedUntil)];
      now += duration;
    }
  });

  it('a rejection after a lock-out ends does not lock again until 5 more', () => {
    security
      .given(lockedOnce)
      .when(verify(totp(invalid), firstLock))
      .then([rejectedEvent(6)]);
  });

  it('a success resets the failure count', () => {
    security
      .given([...enrolledUser, ...failures(1, 4), verified(firstStep + 1)])
      .when(verify(totp(invalid)))
      .then([rejectedEvent(1)]);
  });

  it('a success resets the back-off: the next lock-out lasts 1 minute again', () => {
    const now = at(minutes(30));
    security
      .given([...lockedOnce, verified(firstStep + 1), ...failures(1, 4)])
      .when(verify(totp(invalid), now))
      .then([rejectedEvent(5), lockedOut(1, at(minutes(31)))]);
  });
});

describe('user security: recovery codes', () => {
  it('an unused recovery code logs in once and is used up', () => {
    security
      .given(enrolledUser)
      .when(verify(recovery('rc-hash-3')))
      .then([{ type: 'RecoveryCodeUsed', data: { userId, codeHash: 'rc-hash-3' } }, verified(null)]);
  });

  it('a used recovery code is rejected the second time', () => {
    security
      .given([
        ...enrolledUser,
        { type: 'RecoveryCodeUsed', data: { userId, codeHash: 'rc-hash-3' } },
        verified(null),
      ])
      .when(verify(recovery('rc-hash-3')))
      .then([rejectedEvent(1, 'invalid-recovery-code')]);
  });

  it('an unknown recovery code is rejected', () => {
    security
      .given(enrolledUser)
      .when(verify(recovery('nope')))
      .then([rejectedEvent(1, 'invalid-recovery-code')]);
  });

  it('a recovery code resets the failure count', () => {
    security
      .given([
        ...enrolledUser,
        ...failures(1, 3),
        { type: 'RecoveryCodeUsed', data: { userId, codeHash: 'rc-hash-3' } },
        verified(null),
      ])
      .when(verify(totp(invalid)))
      .then([rejectedEvent(1)]);
  });

  it('the user regenerates recovery codes with a fresh code, which is then used up', () => {
    security
      .given(enrolledUser)
      .when(regenerate(codeProof(valid(firstStep + 1))))
      .then([verified(firstStep + 1), issued(codes('new'))]);
  });

  it('a code used to regenerate recovery codes cannot log in afterwards (replay)', () => {
    const given = [
      ...enrolledUser,
      ...security
        .given(enrolledUser)
        .when(regenerate(codeProof(valid(firstStep + 1))))
        .events(),
    ];
    security
      .given(given)
      .when(verify(totp(valid(firstStep + 1))))
      .then([rejectedEvent(1, 'code-already-used')]);
    security
      .given(given)
      .when(regenerate(codeProof(valid(firstStep + 1))))
      .then([rejectedEvent(1, 'code-already-used')]);
  });

  it('the user regenerates recovery codes with the password', () => {
    security
      .given(enrolledUser)
      .when(regenerate(passwordProof(true)))
      .then([issued(codes('new'))]);
  });

  it('regenerated codes replace the old ones', () => {
    const given = [...enrolledUser, issued(codes('new'))];
    security
      .given(given)
      .when(verify(recovery('rc-hash-0')))
      .then([rejectedEvent(1, 'invalid-recovery-code')]);
    security
      .given(given)
      .when(verify(recovery('new-hash-0')))
      .then([{ type: 'RecoveryCodeUsed', data: { userId, codeHash: 'new-hash-0' } }, verified(null)]);
  });

  it('regeneration needs a valid, fresh proof', () => {
    security
      .given(enrolledUser)
      .when(regenerate(codeProof(invalid)))
      .then([rejectedEvent(1, 'invalid-code')]);
    security
      .given(enrolledUser)
      .when(regenerate(codeProof(valid(firstStep))))
      .then([rejectedEvent(1, 'code-already-used')]);
    security
      .given(enrolledUser)
      .when(regenerate(passwordProof(false)))
      .thenFails('invalid-password');
  });

  it('regeneration needs exactly 10 codes, an enrolment, no lock-out and the user themself', () => {
    security
      .given(enrolledUser)
      .when(regenerate(passwordProof(true), codes('new').slice(1)))
      .thenFails('invalid-command');
    security
      .given([])
      .when(regenerate(passwordProof(true)))
      .thenFails('not-enrolled');
    security
      .given([...enrolledUser, ...failures(1, 5), lockedOut(1, at(minutes(3)))])
      .when(regenerate(passwordProof(true), codes('new'), at(minutes(2))))
      .thenFails('locked-out');
    security
      .given(enrolledUser)
      .when(regenerate(passwordProof(true), codes('new'), at(minutes(2)), otherUser))
      .thenFails('not-permitted');
  });
});

describe('user security: disabling 2FA', () => {
  const disabled = (proof: 'code' | 'password'): UserSecurityEvent => ({
    type: 'TotpDisabled',
    data: { userId, enrollmentId, proof },
  });

  it('the user disables 2FA with a fresh code', () => {
    security
      .given(enrolledUser)
      .when(disable(codeProof(valid(firstStep + 1))))
      .then([disabled('code')]);
  });

  it('the user disables 2FA with the password', () => {
    security
      .given(enrolledUser)
      .when(disable(passwordProof(true)))
      .then([disabled('password')]);
  });

  it('disabling needs a valid proof', () => {
    security
      .given(enrolledUser)
      .when(disable(codeProof(invalid)))
      .then([rejectedEvent(1, 'invalid-code')]);
    security
      .given(enrolledUser)
      .when(disable(passwordProof(false)))
      .thenFails('invalid-password');
  });

  it('a code already used cannot disable 2FA', () => {
    security
      .given([...enrolledUser, verified(firstStep + 3)])
      .when(disable(codeProof(valid(firstStep + 3))))
      .then([rejectedEvent(1, 'code-already-used')]);
  });

  it('2FA cannot be disabled while the office requires it', () => {
    security
      .given(enrolledUser)
      .when(disable(passwordProof(true), true))
      .thenFails('office-requires-two-factor');
  });

  it('2FA that is not enabled cannot be disabled', () => {
    security
      .given([])
      .when(disable(passwordProof(true)))
      .thenFails('not-enrolled');
  });

  it('2FA cannot be disabled while locked out', () => {
    security
      .given([...enrolledUser, ...failures(1, 5), lockedOut(1, at(minutes(3)))])
      .when(disable(passwordProof(true), false, at(minutes(2))))
      .thenFails('locked-out');
  });

  it('users disable only their own 2FA', () => {
    security
      .given(enrolledUser)
      .when(disable(passwordProof(true), false, at(minutes(2)), admin))
      .thenFails('not-permitted');
  });

  it('after disabling, the user may enrol again and recovery codes are gone', () => {
    const given = [...enrolledUser, disabled('password')];
    security
      .given(given)
      .when(start(at(minutes(5)), 'enrol-2'))
      .then([started('enrol-2', at(minutes(5)))]);
    security
      .given(given)
      .when(verify(recovery('rc-hash-0')))
      .thenFails('not-enrolled');
    expect(fold(userSecurityDecider, given)).toMatchObject({
      enrollment: null,
      unusedRecoveryCodes: [],
      lastAcceptedStep: null,
    });
  });
});

describe('user security: support reset', () => {
  const reset: UserSecurityEvent = {
    type: 'SupportReset',
    data: { userId, reason: 'Lost phone', ticket: 'SUP-42' },
  };

  it('support resets a user 2FA with a reason and a ticket', () => {
    security.given(enrolledUser).when(supportReset()).then([reset]);
  });

  it('reason and ticket are trimmed', () => {
    security
      .given(enrolledUser)
      .when(supportReset(support, '  Lost phone ', ' SUP-42\n'))
      .then([reset]);
  });

  it('only support resets 2FA', () => {
    for (const actor of [self, admin, otherUser, { id: 'platform', role: 'platform' } satisfies Actor]) {
      security.given(enrolledUser).when(supportReset(actor)).thenFails('not-permitted');
    }
  });

  it('a reset needs a reason and a ticket reference', () => {
    security
      .given(enrolledUser)
      .when(supportReset(support, '  ', 'SUP-42'))
      .thenFails('invalid-command');
    security
      .given(enrolledUser)
      .when(supportReset(support, 'Lost phone', ''))
      .thenFails('invalid-command');
  });

  it('a reset clears the enrolment, recovery codes and lock-out: the user enrols again', () => {
    const given = [...enrolledUser, ...failures(1, 5), lockedOut(1, at(minutes(3))), reset];
    security
      .given(given)
      .when(start(at(minutes(2)), 'enrol-2'))
      .then([started('enrol-2', at(minutes(2)))]);
    security
      .given(given)
      .when(verify(recovery('rc-hash-0')))
      .thenFails('not-enrolled');
    expect(fold(userSecurityDecider, given)).toEqual(userSecurityDecider.initialState());
    security
      .given([...given, started('enrol-2', at(minutes(2)))])
      .when(confirm(valid(firstStep), at(minutes(3)), 'enrol-2', codes('new')))
      .then([enrolled(firstStep, 'enrol-2', at(minutes(3))), issued(codes('new'), 'enrol-2')]);
  });
});

// --- temporary access and freezes -------------------------------------------------------------------
const hours = (n: number): number => n * 3_600_000;
const tempHash = 'temp-hash-1';
const issueTemporary = (
  codeHash = tempHash,
  now = at(minutes(2)),
  expiresAt = at(minutes(2) + hours(24)),
  actor = support,
  reason = 'Lost phone',
  ticket = 'SUP-7',
): UserSecurityCommand => ({
  type: 'IssueTemporaryAccess',
  userId,
  codeHash,
  expiresAt,
  reason,
  ticket,
  now,
  actor,
});
const temporaryIssued = (codeHash = tempHash, now = at(minutes(2))): UserSecurityEvent => ({
  type: 'TemporaryAccessIssued',
  data: {
    userId,
    temporaryCodeHash: codeHash,
    issuedAt: now,
    expiresAt: at(Date.parse(now) - Date.parse(t0) + hours(24)),
    reason: 'Lost phone',
    ticket: 'SUP-7',
  },
});
const temporaryEnded = (
  why: 'replaced' | 'enrolled' | 'reset' | 'frozen',
): Extract<UserSecurityEvent, { type: 'TemporaryAccessEnded' }> => ({
  type: 'TemporaryAccessEnded',
  data: { userId, why },
});
const temporary = (codeHash = tempHash): SecondFactorCheck => ({ method: 'temporary-access', codeHash });
const temporaryUsed = (now: string): UserSecurityEvent[] => [
  { type: 'TemporaryAccessUsed', data: { userId, usedAt: now } },
  { type: 'SecondFactorVerified', data: { userId, method: 'temporary-access', timeStep: null } },
];
const endTemporary = (now = at(minutes(5)), actor = support): UserSecurityCommand => ({
  type: 'EndTemporaryAccess',
  userId,
  reason: 'Found the phone',
  ticket: 'SUP-8',
  now,
  actor,
});
const freeze = (now = at(minutes(5)), actor = self): UserSecurityCommand => ({
  type: 'FreezeAccount',
  userId,
  now,
  actor,
});
const frozen = (now = at(minutes(5))): UserSecurityEvent => ({
  type: 'AccountFrozen',
  data: { userId, frozenAt: now },
});
const unfreeze = (
  actor = support,
  reason = 'Checked with the user',
  ticket = 'SUP-9',
): UserSecurityCommand => ({
  type: 'UnfreezeAccount',
  userId,
  reason,
  ticket,
  actor,
});
const withTemporary = [...enrolledUser, temporaryIssued()];

describe('user security: temporary access', () => {
  it('support issues a temporary code for a lost authenticator; the old one stops working', () => {
    security.given(enrolledUser).when(issueTemporary()).then([temporaryIssued()]);
    security
      .given(withTemporary)
      .when(verify(totp(valid(firstStep + 10)), at(minutes(3))))
      .then([
        {
          type: 'SecondFactorRejected',
          data: { userId, reason: 'invalid-code', consecutiveFailures: 1 },
        },
      ]);
    security
      .given(withTemporary)
      .when(verify(recovery('rc-hash-0'), at(minutes(3))))
      .then([rejectedEvent(1, 'invalid-recovery-code')]);
    expect(fold(userSecurityDecider, withTemporary).unusedRecoveryCodes).toEqual([]);
  });

  it('only support issues it, with a reason and a ticket, for at most a week', () => {
    for (const actor of [self, admin, { id: 'platform', role: 'platform' } satisfies Actor]) {
      security
        .given(enrolledUser)
        .when(issueTemporary(tempHash, undefined, undefined, actor))
        .thenFails('not-permitted');
    }
    security
      .given(enrolledUser)
      .when(issueTemporary(tempHash, at(minutes(2)), at(minutes(2)), support, 'Lost phone', ' '))
      .thenFails('invalid-command');
    security
      .given(enrolledUser)
      .when(issueTemporary(tempHash, at(minutes(2)), at(minutes(2) + hours(168) + 1)))
      .thenFails('invalid-command');
    security
      .given(enrolledUser)
      .when(issueTemporary(tempHash, at(minutes(2)), at(minutes(2))))
      .thenFails('invalid-command');
  });

  it('the code logs in, every time until its deadline, and every use is an event', () => {
    security
      .given(withTemporary)
      .when(verify(temporary(), at(minutes(3))))
      .then(temporaryUsed(at(minutes(3))));
    security
      .given([...withTemporary, ...temporaryUsed(at(minutes(3)))])
      .when(verify(temporary(), at(minutes(4))))
      .then(temporaryUsed(at(minutes(4))));
  });

  it('a temporary code after its deadline is rejected and counts towards the lock-out', () => {
    security
      .given(withTemporary)
      .when(verify(temporary(), at(minutes(2) + hours(24))))
      .then([
        {
          type: 'SecondFactorRejected',
          data: { userId, reason: 'invalid-temporary-access', consecutiveFailures: 1 },
        },
      ]);
  });

  it('a wrong temporary code counts towards the lock-out, and a lock-out refuses even the right one', () => {
    const now = at(minutes(3));
    const events = security
      .given([...withTemporary, ...failures(1, 4)])
      .when(verify(temporary('wrong'), now))
      .events();
    expect(events.map((event) => event.type)).toEqual(['SecondFactorRejected', 'SecondFactorLockedOut']);
    security
      .given([...withTemporary, ...failures(1, 5), lockedOut(1, at(minutes(4)))])
      .when(verify(temporary(), now))
      .thenFails('locked-out');
  });

  it('a temporary code after re-enrolment is rejected: enrolling ends it', () => {
    const reEnrolling = [...withTemporary, started('enrol-2', at(minutes(3)))];
    security
      .given(reEnrolling)
      .when(confirm(valid(firstStep + 20), at(minutes(4)), 'enrol-2', codes('new')))
      .then([
        enrolled(firstStep + 20, 'enrol-2', at(minutes(4))),
        issued(codes('new'), 'enrol-2'),
        temporaryEnded('enrolled'),
      ]);
    const after = [
      ...reEnrolling,
      enrolled(firstStep + 20, 'enrol-2', at(minutes(4))),
      issued(codes('new'), 'enrol-2'),
      temporaryEnded('enrolled'),
    ];
    security
      .given(after)
      .when(verify(temporary(), at(minutes(5))))
      .then([
        {
          type: 'SecondFactorRejected',
          data: { userId, reason: 'invalid-temporary-access', consecutiveFailures: 1 },
        },
      ]);
  });

  it('a temporary code after a new one was issued is rejected: the new one replaces it', () => {
    security
      .given(withTemporary)
      .when(issueTemporary('temp-hash-2', at(minutes(3)), at(minutes(3) + hours(24))))
      .then([temporaryEnded('replaced'), temporaryIssued('temp-hash-2', at(minutes(3)))]);
    const replaced = [
      ...withTemporary,
      temporaryEnded('replaced'),
      temporaryIssued('temp-hash-2', at(minutes(3))),
    ];
    security
      .given(replaced)
      .when(verify(temporary(), at(minutes(4))))
      .then([
        {
          type: 'SecondFactorRejected',
          data: { userId, reason: 'invalid-temporary-access', consecutiveFailures: 1 },
        },
      ]);
    security
      .given(replaced)
      .when(verify(temporary('temp-hash-2'), at(minutes(4))))
      .then(temporaryUsed(at(minutes(4))));
  });

  it('support ends it early with a reason and a ticket; nothing open to end is refused', () => {
    security
      .given(withTemporary)
      .when(endTemporary())
      .then([
        {
          type: 'TemporaryAccessEnded',
          data: { userId, why: 'ended-by-support', reason: 'Found the phone', ticket: 'SUP-8' },
        },
      ]);
    security
      .given(withTemporary)
      .when(endTemporary(at(minutes(5)), self))
      .thenFails('not-permitted');
    security.given(enrolledUser).when(endTemporary()).thenFails('no-temporary-access');
    security
      .given(withTemporary)
      .when(endTemporary(at(minutes(2) + hours(25))))
      .thenFails('no-temporary-access');
  });

  it('a reset ends it too', () => {
    security
      .given(withTemporary)
      .when(supportReset())
      .then([
        temporaryEnded('reset'),
        { type: 'SupportReset', data: { userId, reason: 'Lost phone', ticket: 'SUP-42' } },
      ]);
  });
});

describe('user security: freezing an account ("this wasn\'t me")', () => {
  it('the user freezes the account; freezing again changes nothing', () => {
    security.given(enrolledUser).when(freeze()).then([frozen()]);
    security
      .given([...enrolledUser, frozen()])
      .when(freeze(at(minutes(6))))
      .then([]);
  });

  it('only the user themselves freezes (the token stands for them)', () => {
    security
      .given(enrolledUser)
      .when(freeze(at(minutes(5)), otherUser))
      .thenFails('not-permitted');
  });

  it('a frozen account cannot log in even with the right code', () => {
    security
      .given([...enrolledUser, frozen()])
      .when(verify(totp(valid(firstStep + 20)), at(minutes(6))))
      .thenFails('account-frozen');
    security
      .given([...enrolledUser, frozen()])
      .when(verify(recovery('rc-hash-0'), at(minutes(6))))
      .thenFails('account-frozen');
  });

  it('a freeze ends a temporary access, which does not come back with the unfreeze', () => {
    security
      .given(withTemporary)
      .when(freeze())
      .then([temporaryEnded('frozen'), frozen()]);
    const unfrozen: UserSecurityEvent = {
      type: 'AccountUnfrozen',
      data: { userId, reason: 'Checked with the user', ticket: 'SUP-9' },
    };
    security
      .given([...withTemporary, temporaryEnded('frozen'), frozen(), unfrozen])
      .when(verify(temporary(), at(minutes(7))))
      .thenFails('not-enrolled');
  });

  it('2FA changes are refused while frozen, by the user and by support', () => {
    const given = [...enrolledUser, frozen()];
    security
      .given(given)
      .when(disable(passwordProof(true), false, at(minutes(6))))
      .thenFails('account-frozen');
    security
      .given(given)
      .when(regenerate(passwordProof(true), codes('new'), at(minutes(6))))
      .thenFails('account-frozen');
    security.given(given).when(supportReset()).thenFails('account-frozen');
    security
      .given(given)
      .when(issueTemporary(tempHash, at(minutes(6)), at(minutes(6) + hours(1))))
      .thenFails('account-frozen');
    security
      .given([frozen()])
      .when(start(at(minutes(6))))
      .thenFails('account-frozen');
  });

  it('support lifts the freeze with a reason and a ticket; a login works again', () => {
    const given = [...enrolledUser, frozen()];
    security
      .given(given)
      .when(unfreeze())
      .then([
        { type: 'AccountUnfrozen', data: { userId, reason: 'Checked with the user', ticket: 'SUP-9' } },
      ]);
    security.given(given).when(unfreeze(self)).thenFails('not-permitted');
    security
      .given(given)
      .when(unfreeze(support, 'ok', ''))
      .thenFails('invalid-command');
    security.given(enrolledUser).when(unfreeze()).thenFails('not-frozen');
    const lifted = [
      ...given,
      { type: 'AccountUnfrozen', data: { userId, reason: 'x', ticket: 'y' } } as UserSecurityEvent,
    ];
    security
      .given(lifted)
      .when(verify(totp(valid(firstStep + 20)), at(minutes(7))))
      .then([verified(firstStep + 20)]);
  });

  it('a reset keeps a freeze in place', () => {
    const given = [
      ...enrolledUser,
      frozen(),
      { type: 'SupportReset', data: { userId, reason: 'r', ticket: 't' } } as UserSecurityEvent,
    ];
    expect(fold(userSecurityDecider, given).frozenAt).toBe(at(minutes(5)));
  });
});

describe('user security: importing an existing enrolment', () => {
  const platform: Actor = { id: 'platform', role: 'platform' };
  const sha256: TotpParameters = { algorithm: 'SHA256', digits: 8, period: 60 };
  const importAt = at(minutes(30));
  const importTotp = (replace = false, actor = platform, parameters = sha256): UserSecurityCommand => ({
    type: 'ImportTotp',
    userId,
    enrollmentId: 'import-1',
    secret,
    parameters,
    source: { format: 'csv', line: 2 },
    originallyEnrolledAt: '2024-01-05T08:00:00.000Z',
    replace,
    now: importAt,
    actor,
  });
  const imported = (replaced: boolean, parameters = sha256): UserSecurityEvent => ({
    type: 'TotpImported',
    data: {
      userId,
      enrollmentId: 'import-1',
      secret,
      parameters,
      source: { format: 'csv', line: 2 },
      importedAt: importAt,
      originallyEnrolledAt: '2024-01-05T08:00:00.000Z',
      replaced,
    },
  });

  it('the platform imports an enrolment for a user who has none', () => {
    security
      .given([])
      .when(importTotp())
      .then([imported(false)]);
  });

  it('an import replaces a pending enrolment: the user is enrolled with the imported parameters', () => {
    const state = fold(userSecurityDecider, [started(), imported(false)]);
    expect(state.pendingEnrollment).toBeNull();
    expect(state.enrollment).toEqual({
      enrollmentId: 'import-1',
      secret,
      enrolledAt: importAt,
      parameters: sha256,
    });
  });

  it('an enrolled user is left alone unless the import replaces (a re-run changes nothing)', () => {
    security.given(enrolledUser).when(importTotp()).then([]);
    security
      .given([imported(false)])
      .when(importTotp())
      .then([]);
    security
      .given(enrolledUser)
      .when(importTotp(true))
      .then([imported(true)]);
  });

  it('only the platform (API key or CLI) imports', () => {
    security.given([]).when(importTotp(false, self)).thenFails('not-permitted');
    security.given([]).when(importTotp(false, support)).thenFails('not-permitted');
    security.given([]).when(importTotp(false, admin)).thenFails('not-permitted');
    security
      .given([])
      .when(importTotp(false, { id: 'cli', role: 'system' }))
      .then([imported(false)]);
  });

  it('a frozen account gets no imported enrolment; a skipped re-run stays a no-op', () => {
    security.given([frozen()]).when(importTotp()).thenFails('account-frozen');
    security
      .given([...enrolledUser, frozen()])
      .when(importTotp(true))
      .thenFails('account-frozen');
    security
      .given([...enrolledUser, frozen()])
      .when(importTotp())
      .then([]);
  });

  it('an import ends an open temporary access as an enrolment does', () => {
    security
      .given(withTemporary)
      .when(importTotp())
      .then([imported(false), temporaryEnded('enrolled')]);
    const state = fold(userSecurityDecider, [...withTemporary, imported(false), temporaryEnded('enrolled')]);
    expect(state.temporaryAccess).toBeNull();
    expect(state.enrollment?.enrollmentId).toBe('import-1');
  });

  it('an imported user logs in with a code of a 60 s step, and that code cannot be replayed', () => {
    const given = [imported(false)];
    const step60 = Math.floor(Date.parse(importAt) / 60_000);
    security
      .given(given)
      .when(verify(totp(valid(step60)), importAt))
      .then([verified(step60)]);
    security
      .given([...given, verified(step60)])
      .when(verify(totp(valid(step60)), importAt))
      .then([rejectedEvent(1, 'code-already-used')]);
    security
      .given([...given, verified(step60)])
      .when(verify(totp(valid(step60 + 1)), importAt))
      .then([verified(step60 + 1)]);
  });

  it('replacing with the same step length keeps the last used step; another length starts the guard afresh', () => {
    const used = [...enrolledUser, verified(firstStep + 1)];
    const sameLength = fold(userSecurityDecider, [...used, imported(true, { ...sha256, period: 30 })]);
    expect(sameLength.lastAcceptedStep).toBe(firstStep + 1);
    expect(sameLength.unusedRecoveryCodes).toEqual([]);
    security
      .given([...used, imported(true, { ...sha256, period: 30 })])
      .when(verify(totp(valid(firstStep + 1))))
      .then([rejectedEvent(1, 'code-already-used')]);
    const longer = fold(userSecurityDecider, [...used, imported(true)]);
    expect(longer.lastAcceptedStep).toBeNull();
    const step60 = Math.floor(Date.parse(importAt) / 60_000);
    security
      .given([...used, imported(true)])
      .when(verify(totp(valid(step60)), importAt))
      .then([verified(step60)]);
  });
});
