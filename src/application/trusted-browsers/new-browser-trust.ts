import type { BrowserToTrust } from '../../domain/user-security/index.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import type { LoginLookup } from '../ports/read-models.ts';
import { describeBrowser } from './browser-description.ts';
import { trustOffered } from './trusted-browser-check.ts';

/** What the browser keeps (the token, in its cookie) once the user's stream recorded the trust. */
export type IssuedBrowserTrust = {
  token: string;
  browserId: string;
  expiresAt: string;
  /** Where the trust was written: the next login's read of it must wait for this. */
  position: number | null;
};

/**
 * A device token for the browser and what the decider needs to trust it: the digest only, never the
 * token. Null when the office does not offer trust (or the user has no authenticator).
 */
export const newBrowserTrust = (
  deps: Pick<ApplicationDeps, 'deviceTokens' | 'ids'>,
  lookup: LoginLookup,
  userAgent: string | undefined,
): { token: string; command: BrowserToTrust } | null => {
  const trustBrowserDays = trustOffered(lookup);
  if (trustBrowserDays <= 0) return null;
  const token = deps.deviceTokens.issue();
  return {
    token,
    command: {
      browserId: deps.ids.next(),
      tokenDigest: deps.deviceTokens.digest(token),
      description: describeBrowser(userAgent),
      trustBrowserDays,
    },
  };
};
