import { trustHolds } from '../../domain/shared/browser-trust.ts';
import { overdueForReenrollment } from '../login-requirement.ts';
import type { LoginLookup } from '../ports/read-models.ts';

/**
 * What the read models say of a device token's digest for this user: one of their trusts, still open
 * under the office's current `trustBrowserDays`. Only a hint (the throttle bucket, whether to try a
 * skip): the skip itself is decided on the user's stream. None holds once a re-enrolment campaign's
 * deadline made the user's enrolment overdue: that login must show the old code and then enrol.
 */
export const holdsTrustedBrowser = (
  { user, office }: LoginLookup,
  tokenDigest: string,
  now: Date,
): boolean => {
  if (user.twoFactor !== 'enrolled' || user.frozen === true) return false;
  if (overdueForReenrollment(user, office, now)) return false;
  const days = office?.trustBrowserDays ?? 0;
  const instant = now.toISOString();
  return (user.trustedBrowsers ?? []).some(
    (trust) => trust.tokenDigest === tokenDigest && trustHolds(trust, days, instant),
  );
};

/** Days the login form may offer "trust this browser" for: only to an enrolled user of an office that allows it. */
export const trustOffered = ({ user, office }: LoginLookup): number =>
  user.twoFactor === 'enrolled' ? (office?.trustBrowserDays ?? 0) : 0;
