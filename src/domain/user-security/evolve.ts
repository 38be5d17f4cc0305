import type { UserSecurityEvent } from './events.ts';
import { initialUserSecurityState, type UserSecurityState } from './state.ts';
import { defaultTotpParameters, lastStepAfterChange } from './totp-parameters.ts';

export const evolveUserSecurity = (state: UserSecurityState, event: UserSecurityEvent): UserSecurityState => {
  switch (event.type) {
    case 'TotpEnrollmentStarted': {
      const { enrollmentId, secret, expiresAt } = event.data;
      return { ...state, pendingEnrollment: { enrollmentId, secret, expiresAt } };
    }
    case 'TotpEnrolled': {
      const pending = state.pendingEnrollment;
      if (pending === null || pending.enrollmentId !== event.data.enrollmentId) return state;
      return {
        ...state,
        enrollment: {
          enrollmentId: pending.enrollmentId,
          secret: pending.secret,
          enrolledAt: event.data.enrolledAt,
          parameters: defaultTotpParameters,
        },
        pendingEnrollment: null,
        lastAcceptedStep: event.data.acceptedStep,
      };
    }
    case 'TotpImported': {
      const { enrollmentId, secret, importedAt, parameters } = event.data;
      const previousPeriod = state.enrollment?.parameters.period ?? parameters.period;
      return {
        ...state,
        enrollment: { enrollmentId, secret, enrolledAt: importedAt, parameters },
        pendingEnrollment: null,
        unusedRecoveryCodes: [],
        lastAcceptedStep: lastStepAfterChange(state.lastAcceptedStep, previousPeriod, parameters.period),
      };
    }
    case 'TotpDisabled':
      return {
        ...state,
        enrollment: null,
        pendingEnrollment: null,
        unusedRecoveryCodes: [],
        lastAcceptedStep: null,
      };
    case 'SupportReset':
      return { ...initialUserSecurityState(), frozenAt: state.frozenAt };
    case 'RecoveryCodesIssued':
      return { ...state, unusedRecoveryCodes: [...event.data.codeHashes] };
    case 'RecoveryCodeUsed':
      return {
        ...state,
        unusedRecoveryCodes: state.unusedRecoveryCodes.filter((hash) => hash !== event.data.codeHash),
      };
    case 'SecondFactorVerified':
      return {
        ...state,
        consecutiveFailures: 0,
        lockoutCount: 0,
        lockedUntil: null,
        lastAcceptedStep: event.data.timeStep ?? state.lastAcceptedStep,
      };
    case 'SecondFactorRejected':
      return { ...state, consecutiveFailures: event.data.consecutiveFailures };
    case 'SecondFactorLockedOut':
      return { ...state, lockedUntil: event.data.lockedUntil, lockoutCount: event.data.lockoutCount };
    case 'TemporaryAccessIssued': {
      // The lost authenticator goes as in a reset; the temporary code is the account's second factor now.
      const { temporaryCodeHash: codeHash, issuedAt, expiresAt } = event.data;
      return {
        ...initialUserSecurityState(),
        frozenAt: state.frozenAt,
        temporaryAccess: { codeHash, issuedAt, expiresAt },
      };
    }
    case 'TemporaryAccessUsed':
      return state;
    case 'TemporaryAccessEnded':
      return { ...state, temporaryAccess: null };
    case 'AccountFrozen':
      return { ...state, frozenAt: event.data.frozenAt };
    case 'AccountUnfrozen':
      return { ...state, frozenAt: null };
    case 'BrowserTrusted': {
      const { browserId, tokenDigest, description, trustedAt, expiresAt } = event.data;
      // Trusts past their deadline are of no further use: dropped as a new one comes.
      const stillOpen = state.trustedBrowsers.filter((trust) => trust.expiresAt > trustedAt);
      return {
        ...state,
        trustedBrowsers: [
          ...stillOpen,
          { browserId, tokenDigest, description, trustedAt, expiresAt, lastUsedAt: null },
        ],
      };
    }
    case 'TrustedBrowserUsed':
      return {
        ...state,
        trustedBrowsers: state.trustedBrowsers.map((trust) =>
          trust.browserId === event.data.browserId ? { ...trust, lastUsedAt: event.data.usedAt } : trust,
        ),
      };
    case 'TrustedBrowserRevoked':
      return {
        ...state,
        trustedBrowsers: state.trustedBrowsers.filter((trust) => trust.browserId !== event.data.browserId),
      };
  }
};
