/** How long an enrolment may wait for its confirming code. */
export const enrollmentLifetimeMs = 10 * 60 * 1000;

/** Consecutive wrong second factors that lock an account's second-factor checks. */
export const failuresBeforeLockout = 5;

/** Length of the 1st, 2nd, 3rd… lock-out since the last success; the last one repeats. */
export const lockoutDurationsMs = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000] as const;

export const recoveryCodesPerIssue = 10;

/** The longest a temporary access code may stay valid (a week), whatever the platform sets. */
export const temporaryAccessMaxHoursLimit = 168;

export const lockoutDurationMs = (lockoutCount: number): number =>
  lockoutDurationsMs[Math.min(lockoutCount, lockoutDurationsMs.length) - 1] ?? lockoutDurationsMs[0];

export const addMs = (instant: string, ms: number): string =>
  new Date(new Date(instant).getTime() + ms).toISOString();
