import { isOfficeAdminOf } from '../shared/actor.ts';
import {
  dayMs,
  maxTrustBrowserDays,
  maxTrustedBrowsersPerUser,
  trustHolds,
} from '../shared/browser-trust.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { BrowserToTrust, UserSecurityCommand } from './commands.ts';
import type { UserSecurityEvent } from './events.ts';
import type { UserSecurityState } from './state.ts';

type RevocationReason = Extract<UserSecurityEvent, { type: 'TrustedBrowserRevoked' }>['data']['why'];

/** Ends every trusted browser on record, for `why`. */
export const revokeTrustedBrowsers = (
  userId: string,
  state: UserSecurityState,
  why: RevocationReason,
): UserSecurityEvent[] =>
  state.trustedBrowsers.map((trust) => ({
    type: 'TrustedBrowserRevoked',
    data: { userId, browserId: trust.browserId, why },
  }));

/**
 * The trust a successful TOTP or recovery code may bring: for the office's number of days (none when
 * trust is off). Past the per-user limit the oldest trust still open makes room.
 */
export const trustAfterSecondFactor = (
  userId: string,
  browser: BrowserToTrust,
  state: UserSecurityState,
  now: string,
): UserSecurityEvent[] => {
  const days = Math.min(browser.trustBrowserDays, maxTrustBrowserDays);
  if (!Number.isInteger(days) || days <= 0) return [];
  const open = state.trustedBrowsers.filter((trust) => trust.expiresAt > now);
  const replaced = open.slice(0, Math.max(0, open.length - maxTrustedBrowsersPerUser + 1));
  return [
    ...replaced.map(
      (trust): UserSecurityEvent => ({
        type: 'TrustedBrowserRevoked',
        data: { userId, browserId: trust.browserId, why: 'replaced' },
      }),
    ),
    {
      type: 'BrowserTrusted',
      data: {
        userId,
        browserId: browser.browserId,
        tokenDigest: browser.tokenDigest,
        description: browser.description.slice(0, 200),
        trustedAt: now,
        expiresAt: new Date(new Date(now).getTime() + days * dayMs).toISOString(),
      },
    },
  ];
};

/**
 * A login whose password was right comes from a browser holding this token: it skips the code when the
 * token is one of the user's trusts still open under the office's current limit. Anything else decides
 * nothing, and the login asks for the code.
 */
export const useTrustedBrowser = (
  command: Extract<UserSecurityCommand, { type: 'UseTrustedBrowser' }>,
  state: UserSecurityState,
): UserSecurityEvent[] => {
  if (state.enrollment === null) return [];
  const trust = state.trustedBrowsers.find((candidate) => candidate.tokenDigest === command.tokenDigest);
  if (trust === undefined || !trustHolds(trust, command.trustBrowserDays, command.now)) return [];
  return [
    {
      type: 'TrustedBrowserUsed',
      data: { userId: command.userId, browserId: trust.browserId, usedAt: command.now },
    },
  ];
};

/** The user ends one of their trusts (one past its deadline is already gone). */
export const revokeTrustedBrowser = (
  command: Extract<UserSecurityCommand, { type: 'RevokeTrustedBrowser' }>,
  state: UserSecurityState,
): UserSecurityEvent[] => {
  const trust = state.trustedBrowsers.find((candidate) => candidate.browserId === command.browserId);
  if (trust === undefined || trust.expiresAt <= command.now)
    throw new DomainError('trusted-browser-not-found', 'No such trusted browser.');
  return [
    {
      type: 'TrustedBrowserRevoked',
      data: { userId: command.userId, browserId: trust.browserId, why: 'by-user' },
    },
  ];
};

const mayEndTrusts = ({
  actor,
  officeId,
  userId,
  why,
}: Extract<UserSecurityCommand, { type: 'EndTrustedBrowsers' }>): boolean =>
  actor.role === 'support' ||
  actor.role === 'system' ||
  actor.role === 'platform' ||
  isOfficeAdminOf(actor, officeId) ||
  (why === 'password-changed' && actor.id === userId);

/**
 * Trusts ended by something other than their user revoking one: an erasure, the office lowering
 * `trustBrowserDays` (only trusts made at or before the new limit's start), a re-enrolment campaign's
 * deadline, a new password (whoever set it, the user included).
 */
export const endTrustedBrowsers = (
  command: Extract<UserSecurityCommand, { type: 'EndTrustedBrowsers' }>,
  state: UserSecurityState,
): UserSecurityEvent[] => {
  if (!mayEndTrusts(command)) {
    throw new DomainError(
      'not-permitted',
      "Only support, the platform or the user's office admin end trusts (the user too, with a new password).",
    );
  }
  const { trustedAtOrBefore } = command;
  const ending = state.trustedBrowsers.filter(
    (trust) => trustedAtOrBefore === null || trust.trustedAt <= trustedAtOrBefore,
  );
  return ending.map((trust) => ({
    type: 'TrustedBrowserRevoked',
    data: { userId: command.userId, browserId: trust.browserId, why: command.why },
  }));
};
