/** The longest an office may let a browser skip the code (`trustBrowserDays`); 0 turns trust off. */
export const maxTrustBrowserDays = 30;

export const dayMs = 24 * 60 * 60 * 1000;

/** A user keeps at most this many trusted browsers; trusting one more ends the oldest. */
export const maxTrustedBrowsersPerUser = 10;

export type BrowserTrustTerm = { trustedAt: string; expiresAt: string };

/**
 * When a trust ends under the office's current `trustBrowserDays`: its own deadline, or sooner when the
 * office lowered the limit since (a limit of 0 ends every trust at once).
 */
export const trustEndsAt = (trust: BrowserTrustTerm, trustBrowserDays: number): string => {
  const byPolicy = new Date(trust.trustedAt).getTime() + trustBrowserDays * dayMs;
  return new Date(Math.min(byPolicy, new Date(trust.expiresAt).getTime())).toISOString();
};

/** A trust still lets its browser skip the code at `now`. */
export const trustHolds = (trust: BrowserTrustTerm, trustBrowserDays: number, now: string): boolean =>
  trustBrowserDays > 0 && now < trustEndsAt(trust, trustBrowserDays);
