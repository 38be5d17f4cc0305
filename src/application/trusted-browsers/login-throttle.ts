import { normalizeUsername } from '../../domain/user-account/username-events.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { holdsTrustedBrowser } from './trusted-browser-check.ts';

/**
 * The counter a password attempt is throttled on. Everyone guessing at a username shares its account
 * bucket; a browser holding a valid device token of that user has a bucket of its own, so strangers'
 * failures never lock the owner out (OWASP, "Slow down online guessing attacks with device cookies").
 */
export const throttleBucket = (
  username: string,
  trustedBrowserDigest: string | null,
): `account:${string}` | `trusted-browser:${string}` =>
  trustedBrowserDigest === null
    ? `account:${normalizeUsername(username)}`
    : `trusted-browser:${trustedBrowserDigest}`;

/** The bucket of an attempt; anything unknown or failing counts on the account's bucket. */
export const loginThrottleBucket =
  (deps: Pick<ApplicationDeps, 'readModels' | 'deviceTokens' | 'clock'>) =>
  async (username: string, deviceToken: string | undefined): Promise<string> => {
    if (deviceToken === undefined || deviceToken === '') return throttleBucket(username, null);
    try {
      const digest = deps.deviceTokens.digest(deviceToken);
      const lookup = await deps.readModels.loginByUsername(normalizeUsername(username));
      const holds = lookup !== null && holdsTrustedBrowser(lookup, digest, deps.clock.now());
      return throttleBucket(username, holds ? digest : null);
    } catch {
      return throttleBucket(username, null);
    }
  };
