import type { Actor } from '../../../domain/shared/actor.ts';
import { ApplicationError } from '../../application-error.ts';
import type { RequestContext } from '../../command-context.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { endTrustedBrowsers } from '../../trusted-browsers/manage-trusted-browsers.ts';

const campaignDeadline: Actor = { id: 'reenrolment-campaign', role: 'system' };

/** Trades a login's challenge, whose code was right, for an enrolment one: no session before a new authenticator. */
export const enrollmentChallenge = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'settings'>,
  loginChallenge: string,
  user: { userId: string },
  now: Date,
): Promise<string> => {
  if ((await deps.sessions.consumeChallenge(loginChallenge)) === null) {
    throw new ApplicationError('invalid-challenge', 'This login was already finished; log in again.');
  }
  return deps.sessions.createChallenge(
    { userId: user.userId, kind: 'enrollment', createdAt: now.toISOString() },
    deps.settings.challengeTtlSeconds,
  );
};

/**
 * The campaign's deadline ends the trusted browsers of the old enrolment (`reenrolment-deadline`). Best
 * effort: a trusted browser never skips the code of an overdue user anyway (`holdsTrustedBrowser`).
 */
export const endOverdueTrusts = async (
  deps: Parameters<typeof endTrustedBrowsers>[0],
  user: { userId: string; officeId: string },
  request: RequestContext,
): Promise<void> => {
  try {
    await endTrustedBrowsers(deps)(
      campaignDeadline,
      { userId: user.userId, officeId: user.officeId, why: 'reenrolment-deadline', trustedAtOrBefore: null },
      request,
    );
  } catch {
    // The revocation events are the record; the login-time check already refuses the skip.
  }
};
