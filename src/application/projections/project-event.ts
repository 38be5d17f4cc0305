import { parseDomainEvent } from '../../domain/events.ts';
import { defaultTotpParameters, lastStepAfterChange } from '../../domain/user-security/totp-parameters.ts';
import type { RecordedEvent } from '../ports/event-store.ts';
import { memberKey, type OfficeDocument, type UserDocument } from './documents.ts';

/** Which document an event changes, so a store can load just that one before projecting. */
export type DocumentRef = { kind: 'user'; id: string } | { kind: 'office'; id: string } | null;

/** What projecting one event writes: a changed document and, for a new user, the indexes. */
export type ProjectionChange =
  | { kind: 'none' }
  | { kind: 'office'; office: OfficeDocument }
  | {
      kind: 'user';
      user: UserDocument;
      newMember?: { officeId: string; username: string; memberKey: string };
    }
  /** The user is forgotten: their document, username entry and membership go. */
  | { kind: 'user-erased'; userId: string; officeId: string; username: string; memberKey: string };

/** What a disable, a reset or a temporary access leaves of the user's authenticator: nothing. */
const withoutAuthenticator = {
  twoFactor: 'none',
  enrollmentId: null,
  enrolledAt: null,
  secret: null,
  totpParameters: null,
  lastAcceptedStep: null,
  recoveryCodesLeft: 0,
  pending: null,
  trustedBrowsers: [],
} satisfies Partial<UserDocument>;

/** Cheap: looks at the type and one id field only; `projectEvent` validates the whole event. */
export const documentOf = (event: RecordedEvent): DocumentRef => {
  const data = event.data as { officeId?: unknown; userId?: unknown };
  if (event.type === 'UsernameReserved' || event.type === 'UsernameReleased') return null;
  if (event.type.startsWith('Office') && typeof data.officeId === 'string')
    return { kind: 'office', id: data.officeId };
  if (typeof data.userId === 'string') return { kind: 'user', id: data.userId };
  return null;
};

/**
 * Pure: the change one event makes to the document it concerns (`current` is that document or null).
 * Registrations arrive with their username opened (OpeningProjectionTarget), unless the user was erased.
 */
export const projectEvent = (
  event: RecordedEvent,
  current: UserDocument | OfficeDocument | null,
): ProjectionChange => {
  const parsed = parseDomainEvent(event.type, event.data);
  switch (parsed.type) {
    case 'UsernameReserved':
    case 'UsernameReleased':
      return { kind: 'none' };
    case 'OfficeRegistered':
      return {
        kind: 'office',
        office: {
          officeId: parsed.data.officeId,
          name: parsed.data.name,
          required: false,
          enforceFrom: null,
          trustBrowserDays: 0,
          reenrollment: null,
          revision: event.revision,
        },
      };
    case 'OfficeTwoFactorRequired':
    case 'OfficeTwoFactorRequirementLifted': {
      const office = current as OfficeDocument | null;
      if (office === null) return { kind: 'none' };
      const required = parsed.type === 'OfficeTwoFactorRequired';
      const enforceFrom = parsed.type === 'OfficeTwoFactorRequired' ? parsed.data.enforceFrom : null;
      return { kind: 'office', office: { ...office, required, enforceFrom, revision: event.revision } };
    }
    case 'OfficeBrowserTrustChanged': {
      const office = current as OfficeDocument | null;
      if (office === null) return { kind: 'none' };
      const { trustBrowserDays } = parsed.data;
      return { kind: 'office', office: { ...office, trustBrowserDays, revision: event.revision } };
    }
    case 'OfficeReenrollmentRequired':
    case 'OfficeReenrollmentEnded': {
      const office = current as OfficeDocument | null;
      if (office === null) return { kind: 'none' };
      const reenrollment =
        parsed.type === 'OfficeReenrollmentRequired'
          ? { startedAt: parsed.data.startedAt, deadline: parsed.data.deadline, reason: parsed.data.reason }
          : null;
      return { kind: 'office', office: { ...office, reenrollment, revision: event.revision } };
    }
    case 'UserRegistered': {
      const { userId, officeId, username, role, passwordHash } = parsed.data;
      // Still sealed: the user was erased before this projection ran, and is not projected at all.
      if (typeof username !== 'string') return { kind: 'none' };
      return {
        kind: 'user',
        user: {
          userId,
          officeId,
          username,
          role,
          passwordHash,
          twoFactor: 'none',
          enrollmentId: null,
          enrolledAt: null,
          secret: null,
          totpParameters: null,
          lastAcceptedStep: null,
          lockedUntil: null,
          recoveryCodesLeft: 0,
          pending: null,
        },
        newMember: { officeId, username, memberKey: memberKey(username, userId) },
      };
    }
    default:
      break;
  }
  const user = current as UserDocument | null;
  if (user === null) return { kind: 'none' };
  const changed = (next: Partial<UserDocument>): ProjectionChange => ({
    kind: 'user',
    user: { ...user, ...next },
  });
  switch (parsed.type) {
    case 'UserErased':
      return {
        kind: 'user-erased',
        userId: user.userId,
        officeId: user.officeId,
        username: user.username,
        memberKey: memberKey(user.username, user.userId),
      };
    case 'PasswordChanged':
      return changed({ passwordHash: parsed.data.passwordHash });
    case 'UserRoleChanged':
      return changed({ role: parsed.data.role });
    case 'TotpEnrollmentStarted':
      return changed({ pending: { enrollmentId: parsed.data.enrollmentId, secret: parsed.data.secret } });
    case 'TotpEnrolled': {
      if (user.pending?.enrollmentId !== parsed.data.enrollmentId) return { kind: 'none' };
      return changed({
        twoFactor: 'enrolled',
        enrollmentId: parsed.data.enrollmentId,
        enrolledAt: parsed.data.enrolledAt,
        secret: user.pending.secret,
        totpParameters: defaultTotpParameters,
        lastAcceptedStep: parsed.data.acceptedStep,
        pending: null,
        temporaryAccessUntil: null,
      });
    }
    case 'TotpImported': {
      const { enrollmentId, importedAt, secret, parameters } = parsed.data;
      const previousPeriod = user.totpParameters?.period ?? defaultTotpParameters.period;
      return changed({
        twoFactor: 'enrolled',
        enrollmentId,
        enrolledAt: importedAt,
        secret,
        totpParameters: parameters,
        lastAcceptedStep: lastStepAfterChange(user.lastAcceptedStep, previousPeriod, parameters.period),
        recoveryCodesLeft: 0,
        pending: null,
      });
    }
    case 'TotpDisabled':
      return changed(withoutAuthenticator);
    case 'SupportReset':
      return changed({ ...withoutAuthenticator, lockedUntil: null, temporaryAccessUntil: null });
    case 'RecoveryCodesIssued':
      return changed({ recoveryCodesLeft: parsed.data.codeHashes.length });
    case 'RecoveryCodeUsed':
      return changed({ recoveryCodesLeft: Math.max(0, user.recoveryCodesLeft - 1) });
    case 'SecondFactorVerified':
      return changed({
        lockedUntil: null,
        lastAcceptedStep: parsed.data.timeStep ?? user.lastAcceptedStep,
        lastSecondFactorAt: event.metadata.occurredAt,
      });
    case 'SecondFactorRejected':
      return { kind: 'none' };
    case 'SecondFactorLockedOut':
      return changed({ lockedUntil: parsed.data.lockedUntil });
    case 'TemporaryAccessIssued':
      return changed({
        ...withoutAuthenticator,
        lockedUntil: null,
        temporaryAccessUntil: parsed.data.expiresAt,
      });
    case 'TemporaryAccessEnded':
      return changed({ temporaryAccessUntil: null });
    case 'AccountFrozen':
    case 'AccountUnfrozen':
      return changed({ frozen: parsed.type === 'AccountFrozen' });
    case 'BrowserTrusted': {
      const { browserId, tokenDigest, trustedAt, expiresAt } = parsed.data;
      const stillOpen = (user.trustedBrowsers ?? []).filter((trust) => trust.expiresAt > trustedAt);
      return changed({ trustedBrowsers: [...stillOpen, { browserId, tokenDigest, trustedAt, expiresAt }] });
    }
    case 'TrustedBrowserRevoked':
      return changed({
        trustedBrowsers: (user.trustedBrowsers ?? []).filter(
          (trust) => trust.browserId !== parsed.data.browserId,
        ),
      });
  }
  return { kind: 'none' };
};
