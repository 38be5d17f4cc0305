import { enrolledBefore } from '../office/compliance.ts';
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { Proof, SecondFactorCheck, UserSecurityCommand } from './commands.ts';
import type { UserSecurityEvent } from './events.ts';
import {
  addMs,
  enrollmentLifetimeMs,
  failuresBeforeLockout,
  lockoutDurationMs,
  recoveryCodesPerIssue,
  temporaryAccessMaxHoursLimit,
} from './policy.ts';
import type { UserSecurityState } from './state.ts';
import {
  endTrustedBrowsers,
  revokeTrustedBrowser,
  revokeTrustedBrowsers,
  trustAfterSecondFactor,
  useTrustedBrowser,
} from './trusted-browsers.ts';

type Rejection = Extract<UserSecurityEvent, { type: 'SecondFactorRejected' }>['data']['reason'];

const requireSelf = (actor: Actor, userId: string) => {
  if (actor.id !== userId)
    throw new DomainError('not-permitted', 'Users manage only their own two-factor authentication.');
};

const requireNotFrozen = (state: UserSecurityState) => {
  if (state.frozenAt !== null)
    throw new DomainError('account-frozen', 'The account is frozen; support can lift the freeze.');
};

/** A support action: by the support role, with a reason and a ticket reference (both trimmed). */
const requireSupport = (actor: Actor, action: string, reason: string, ticket: string) => {
  if (actor.role !== 'support') throw new DomainError('not-permitted', `Only support ${action}.`);
  const trimmed = { reason: reason.trim(), ticket: ticket.trim() };
  if (trimmed.reason === '' || trimmed.ticket === '')
    throw new DomainError('invalid-command', 'Support needs a reason and a ticket reference.');
  return trimmed;
};

const openTemporaryAccess = (state: UserSecurityState, now: string) =>
  state.temporaryAccess !== null && now < state.temporaryAccess.expiresAt ? state.temporaryAccess : null;

/** Ends a temporary access still on record (open or past its deadline) for `why`. */
const endTemporaryAccess = (
  userId: string,
  state: UserSecurityState,
  why: 'replaced' | 'enrolled' | 'reset' | 'frozen',
): UserSecurityEvent[] =>
  state.temporaryAccess === null ? [] : [{ type: 'TemporaryAccessEnded', data: { userId, why } }];

/** No second enrolment while enrolled, unless a re-enrolment campaign asks to replace an older one. */
const requireReplaceable = (state: UserSecurityState, reenrollmentSince: string | null | undefined) => {
  if (state.enrollment === null) return;
  if (reenrollmentSince != null && enrolledBefore(state.enrollment.enrolledAt, reenrollmentSince)) return;
  throw new DomainError('already-enrolled', 'Two-factor authentication is already enabled.');
};

const requireEnrolled = (state: UserSecurityState) => {
  if (state.enrollment === null)
    throw new DomainError('not-enrolled', 'Two-factor authentication is not enabled.');
  return state.enrollment;
};

const requireNotLocked = (state: UserSecurityState, now: string) => {
  if (state.lockedUntil !== null && now < state.lockedUntil) {
    throw new DomainError('locked-out', 'Too many wrong codes; try again later.', {
      lockedUntil: state.lockedUntil,
    });
  }
};

const requireRecoveryCodes = (hashes: string[]) => {
  if (hashes.length !== recoveryCodesPerIssue)
    throw new DomainError('invalid-command', `Expected ${recoveryCodesPerIssue} recovery codes.`);
};

/** A fresh proof: a valid code newer than the last accepted one, or the right password. */
const requireProof = (proof: Proof, state: UserSecurityState) => {
  if (proof.kind === 'password') {
    if (!proof.valid) throw new DomainError('invalid-password', 'The password is not right.');
    return;
  }
  if (!proof.valid || proof.timeStep === null)
    throw new DomainError('invalid-code', 'The code is not valid.');
  if (state.lastAcceptedStep !== null && proof.timeStep <= state.lastAcceptedStep) {
    throw new DomainError('code-already-used', 'This code was used already; wait for the next one.');
  }
};

/** A wrong or replayed code offered as proof counts towards the lock-out like one offered at login. */
const codeProofRejection = (
  userId: string,
  proof: Proof,
  state: UserSecurityState,
  now: string,
): UserSecurityEvent[] | null => {
  if (proof.kind !== 'code') return null;
  if (!proof.valid || proof.timeStep === null) return rejected(userId, 'invalid-code', state, now);
  if (state.lastAcceptedStep !== null && proof.timeStep <= state.lastAcceptedStep) {
    return rejected(userId, 'code-already-used', state, now);
  }
  return null;
};

const rejected = (
  userId: string,
  reason: Rejection,
  state: UserSecurityState,
  now: string,
): UserSecurityEvent[] => {
  const consecutiveFailures = state.consecutiveFailures + 1;
  const events: UserSecurityEvent[] = [
    { type: 'SecondFactorRejected', data: { userId, reason, consecutiveFailures } },
  ];
  if (consecutiveFailures % failuresBeforeLockout === 0) {
    const lockoutCount = state.lockoutCount + 1;
    events.push({
      type: 'SecondFactorLockedOut',
      data: { userId, lockedUntil: addMs(now, lockoutDurationMs(lockoutCount)), lockoutCount },
    });
  }
  return events;
};

const verify = (
  userId: string,
  check: SecondFactorCheck,
  state: UserSecurityState,
  now: string,
): UserSecurityEvent[] => {
  if (check.method === 'temporary-access') {
    if (openTemporaryAccess(state, now)?.codeHash !== check.codeHash)
      return rejected(userId, 'invalid-temporary-access', state, now);
    return [
      { type: 'TemporaryAccessUsed', data: { userId, usedAt: now } },
      { type: 'SecondFactorVerified', data: { userId, method: 'temporary-access', timeStep: null } },
    ];
  }
  if (check.method === 'recovery-code') {
    if (!state.unusedRecoveryCodes.includes(check.codeHash))
      return rejected(userId, 'invalid-recovery-code', state, now);
    return [
      { type: 'RecoveryCodeUsed', data: { userId, codeHash: check.codeHash } },
      { type: 'SecondFactorVerified', data: { userId, method: 'recovery-code', timeStep: null } },
    ];
  }
  // Without an enrolment (temporary access only) there is no secret a TOTP code could match.
  if (state.enrollment === null || !check.valid || check.timeStep === null)
    return rejected(userId, 'invalid-code', state, now);
  if (state.lastAcceptedStep !== null && check.timeStep <= state.lastAcceptedStep) {
    return rejected(userId, 'code-already-used', state, now);
  }
  return [{ type: 'SecondFactorVerified', data: { userId, method: 'totp', timeStep: check.timeStep } }];
};

export const decideUserSecurity = (
  command: UserSecurityCommand,
  state: UserSecurityState,
): UserSecurityEvent[] => {
  const { userId } = command;
  switch (command.type) {
    case 'StartTotpEnrollment': {
      requireSelf(command.actor, userId);
      requireNotFrozen(state);
      requireReplaceable(state, command.reenrollmentSince);
      const { enrollmentId, secret, now } = command;
      return [
        {
          type: 'TotpEnrollmentStarted',
          data: { userId, enrollmentId, secret, startedAt: now, expiresAt: addMs(now, enrollmentLifetimeMs) },
        },
      ];
    }
    case 'ConfirmTotpEnrollment': {
      requireSelf(command.actor, userId);
      requireNotFrozen(state);
      requireReplaceable(state, command.reenrollmentSince);
      const pending = state.pendingEnrollment;
      if (pending === null || pending.enrollmentId !== command.enrollmentId) {
        throw new DomainError('enrollment-not-found', 'Start the enrolment again.');
      }
      if (command.now >= pending.expiresAt)
        throw new DomainError('enrollment-expired', 'The enrolment expired; start again.');
      if (!command.check.valid || command.check.timeStep === null)
        throw new DomainError('invalid-code', 'The code is not valid.');
      requireRecoveryCodes(command.recoveryCodeHashes);
      const { enrollmentId } = pending;
      return [
        {
          type: 'TotpEnrolled',
          data: { userId, enrollmentId, enrolledAt: command.now, acceptedStep: command.check.timeStep },
        },
        {
          type: 'RecoveryCodesIssued',
          data: { userId, enrollmentId, codeHashes: command.recoveryCodeHashes },
        },
        ...endTemporaryAccess(userId, state, 'enrolled'),
      ];
    }
    case 'ImportTotp': {
      if (command.actor.role !== 'platform' && command.actor.role !== 'system')
        throw new DomainError('not-permitted', 'Only the platform imports enrolments.');
      const replaced = state.enrollment !== null;
      if (replaced && !command.replace) return [];
      requireNotFrozen(state);
      const { enrollmentId, secret, parameters, source, originallyEnrolledAt, now } = command;
      return [
        {
          type: 'TotpImported',
          data: {
            userId,
            enrollmentId,
            secret,
            parameters,
            source,
            importedAt: now,
            ...(originallyEnrolledAt === undefined ? {} : { originallyEnrolledAt }),
            replaced,
          },
        },
        // The imported app is a new authenticator: a temporary code stops standing in for one.
        ...endTemporaryAccess(userId, state, 'enrolled'),
      ];
    }
    case 'DisableTotp': {
      requireSelf(command.actor, userId);
      requireNotFrozen(state);
      const enrollment = requireEnrolled(state);
      if (command.officeRequiresTwoFactor) {
        throw new DomainError(
          'office-requires-two-factor',
          'Your office requires two-factor authentication; only an office admin can lift that.',
        );
      }
      requireNotLocked(state, command.now);
      const rejection = codeProofRejection(userId, command.proof, state, command.now);
      if (rejection !== null) return rejection;
      requireProof(command.proof, state);
      return [
        ...revokeTrustedBrowsers(userId, state, 'disabled'),
        {
          type: 'TotpDisabled',
          data: { userId, enrollmentId: enrollment.enrollmentId, proof: command.proof.kind },
        },
      ];
    }
    case 'VerifySecondFactor': {
      requireSelf(command.actor, userId);
      requireNotFrozen(state);
      if (state.temporaryAccess === null) requireEnrolled(state);
      requireNotLocked(state, command.now);
      const verified = verify(userId, command.check, state, command.now);
      const byAuthenticator = verified.some(
        (event) => event.type === 'SecondFactorVerified' && event.data.method !== 'temporary-access',
      );
      if (command.trustBrowser === undefined || !byAuthenticator) return verified;
      return [...verified, ...trustAfterSecondFactor(userId, command.trustBrowser, state, command.now)];
    }
    case 'UseTrustedBrowser': {
      requireSelf(command.actor, userId);
      requireNotFrozen(state);
      return useTrustedBrowser(command, state);
    }
    case 'RevokeTrustedBrowser': {
      requireSelf(command.actor, userId);
      return revokeTrustedBrowser(command, state);
    }
    case 'EndTrustedBrowsers':
      return endTrustedBrowsers(command, state);
    case 'ResetTwoFactorBySupport': {
      const { reason, ticket } = requireSupport(
        command.actor,
        'resets two-factor authentication',
        command.reason,
        command.ticket,
      );
      requireNotFrozen(state);
      return [
        ...endTemporaryAccess(userId, state, 'reset'),
        ...revokeTrustedBrowsers(userId, state, 'reset'),
        { type: 'SupportReset', data: { userId, reason, ticket } },
      ];
    }
    case 'IssueTemporaryAccess': {
      const { reason, ticket } = requireSupport(
        command.actor,
        'issues temporary access',
        command.reason,
        command.ticket,
      );
      requireNotFrozen(state);
      const { now, expiresAt } = command;
      if (expiresAt <= now || expiresAt > addMs(now, temporaryAccessMaxHoursLimit * 3_600_000)) {
        throw new DomainError(
          'invalid-command',
          `Temporary access lasts up to ${temporaryAccessMaxHoursLimit} hours.`,
        );
      }
      return [
        ...endTemporaryAccess(userId, state, 'replaced'),
        ...revokeTrustedBrowsers(userId, state, 'temporary-access'),
        {
          type: 'TemporaryAccessIssued',
          data: { userId, temporaryCodeHash: command.codeHash, issuedAt: now, expiresAt, reason, ticket },
        },
      ];
    }
    case 'EndTemporaryAccess': {
      const { reason, ticket } = requireSupport(
        command.actor,
        'ends temporary access',
        command.reason,
        command.ticket,
      );
      if (openTemporaryAccess(state, command.now) === null)
        throw new DomainError('no-temporary-access', 'The user has no open temporary access.');
      return [{ type: 'TemporaryAccessEnded', data: { userId, why: 'ended-by-support', reason, ticket } }];
    }
    case 'FreezeAccount': {
      requireSelf(command.actor, userId);
      if (state.frozenAt !== null) return [];
      return [
        ...endTemporaryAccess(userId, state, 'frozen'),
        ...revokeTrustedBrowsers(userId, state, 'frozen'),
        { type: 'AccountFrozen', data: { userId, frozenAt: command.now } },
      ];
    }
    case 'UnfreezeAccount': {
      const { reason, ticket } = requireSupport(
        command.actor,
        'lifts a freeze',
        command.reason,
        command.ticket,
      );
      if (state.frozenAt === null) throw new DomainError('not-frozen', 'The account is not frozen.');
      return [{ type: 'AccountUnfrozen', data: { userId, reason, ticket } }];
    }
    case 'RegenerateRecoveryCodes': {
      requireSelf(command.actor, userId);
      requireNotFrozen(state);
      const enrollment = requireEnrolled(state);
      requireNotLocked(state, command.now);
      const rejection = codeProofRejection(userId, command.proof, state, command.now);
      if (rejection !== null) return rejection;
      requireProof(command.proof, state);
      requireRecoveryCodes(command.recoveryCodeHashes);
      // A code accepted as proof is used up like a login code: record its step (no replay).
      const proof = command.proof;
      const accepted: UserSecurityEvent[] =
        proof.kind === 'code' && proof.timeStep !== null
          ? [{ type: 'SecondFactorVerified', data: { userId, method: 'totp', timeStep: proof.timeStep } }]
          : [];
      return [
        ...accepted,
        {
          type: 'RecoveryCodesIssued',
          data: { userId, enrollmentId: enrollment.enrollmentId, codeHashes: command.recoveryCodeHashes },
        },
      ];
    }
  }
};
