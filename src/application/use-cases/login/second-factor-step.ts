import { DomainError } from '../../../domain/shared/domain-error.ts';
import { type UserSecurityEvent, userSecurityStream } from '../../../domain/user-security/events.ts';
import {
  type SecondFactorCheck,
  type UserSecurityState,
  userSecurityDecider,
} from '../../../domain/user-security/index.ts';
import { actorOf } from '../../acting-user.ts';
import { ApplicationError } from '../../application-error.ts';
import type { RequestContext } from '../../command-context.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import { overdueForReenrollment, reenrollmentDeadline } from '../../login-requirement.ts';
import { notifyTwoFactorChange } from '../../notify-two-factor-change.ts';
import { type OpenedSession, openSessionUsingChallenge } from '../../open-session.ts';
import { throwIfRejected } from '../../second-factor-outcome.ts';
import { checkCodeAgainst } from '../../totp-checks.ts';
import { type IssuedBrowserTrust, newBrowserTrust } from '../../trusted-browsers/new-browser-trust.ts';
import { endOverdueTrusts, enrollmentChallenge } from './held-back-for-enrolment.ts';

export type SecondFactorInput = { challenge: string } & ({ code: string } | { recoveryCode: string }) & {
    /** "Trust this browser": with a right TOTP or recovery code, the browser gets a device token. */
    trustBrowser?: boolean;
  };

export type { RequestContext } from '../../command-context.ts';

/**
 * A temporary access code from support, or any code of a user whose enrolment a re-enrolment campaign's
 * deadline made overdue, finishes the password step, and then the user must enrol.
 */
export type SecondFactorResult =
  | {
      status: 'authenticated';
      session: OpenedSession;
      reenrollmentDeadline: string | null;
      trustedBrowser?: IssuedBrowserTrust;
    }
  | { status: 'enrollment-required'; challenge: string };

/**
 * Finishes a login with a TOTP code, a recovery code, or support's temporary access code (which then
 * asks for a new enrolment). Every rejection is recorded as an event so the
 * lock-out counts across instances; the challenge is used up only by a success, and only once.
 */
export const secondFactorStep =
  (
    deps: Pick<
      ApplicationDeps,
      | 'events'
      | 'clock'
      | 'ids'
      | 'readModels'
      | 'sessions'
      | 'totp'
      | 'vault'
      | 'recoveryCodes'
      | 'notifier'
      | 'settings'
      | 'deviceTokens'
    >,
  ) =>
  async (input: SecondFactorInput, request: RequestContext): Promise<SecondFactorResult> => {
    const challenge = await deps.sessions.getChallenge(input.challenge);
    if (challenge === null || challenge.kind !== 'second-factor') {
      throw new ApplicationError(
        'invalid-challenge',
        'The login has expired or was already finished; log in again.',
      );
    }
    const lookup = await deps.readModels.loginByUserId(challenge.userId);
    if (lookup === null)
      throw new ApplicationError('invalid-challenge', 'The login has expired; log in again.');
    const { user } = lookup;
    const actor = actorOf(user);
    const now = deps.clock.now();
    const overdue = overdueForReenrollment(user, lookup.office, now);
    const trust =
      input.trustBrowser === true && !overdue ? newBrowserTrust(deps, lookup, request.userAgent) : null;

    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(user.userId),
      async (state) => ({
        type: 'VerifySecondFactor' as const,
        userId: user.userId,
        now: now.toISOString(),
        actor,
        check:
          'code' in input
            ? await codeCheck(deps, user.userId, state, input.code)
            : { method: 'recovery-code' as const, codeHash: deps.recoveryCodes.hash(input.recoveryCode) },
        ...(trust === null ? {} : { trustBrowser: trust.command }),
      }),
      { ...request, actor },
    );

    await throwIfRejected(deps, user, outcome.newEvents, now);
    if (!outcome.newEvents.some((event) => event.type === 'SecondFactorVerified')) {
      throw new DomainError('invalid-code', 'The code is not valid.');
    }
    await notifyFactorUsed(deps, user, outcome.newEvents, now);
    if (overdue) await endOverdueTrusts(deps, user, request);
    if (overdue || outcome.newEvents.some((event) => event.type === 'TemporaryAccessUsed')) {
      // No session before a new authenticator: the login's challenge is traded for an enrolment one.
      return {
        status: 'enrollment-required',
        challenge: await enrollmentChallenge(deps, input.challenge, user, now),
      };
    }
    const opened = await openSessionUsingChallenge(deps, user, now, input.challenge);
    if (opened === null) {
      throw new ApplicationError('invalid-challenge', 'This login was already finished; log in again.');
    }
    const trusted = outcome.newEvents.find((event) => event.type === 'BrowserTrusted');
    const reenrollment = reenrollmentDeadline(user, lookup.office);
    if (trust === null || trusted === undefined)
      return { status: 'authenticated', session: opened, reenrollmentDeadline: reenrollment };
    return {
      status: 'authenticated',
      session: opened,
      reenrollmentDeadline: reenrollment,
      trustedBrowser: {
        token: trust.token,
        browserId: trusted.data.browserId,
        expiresAt: trusted.data.expiresAt,
        position: outcome.position,
      },
    };
  };

/** Without an authenticator, what the user types in the code field is support's temporary code. */
const codeCheck = async (
  deps: Parameters<typeof checkCodeAgainst>[0] & Pick<ApplicationDeps, 'recoveryCodes'>,
  userId: string,
  state: UserSecurityState,
  code: string,
): Promise<SecondFactorCheck> =>
  state.enrollment === null && state.temporaryAccess !== null
    ? { method: 'temporary-access', codeHash: deps.recoveryCodes.hash(code) }
    : { method: 'totp', ...(await checkCodeAgainst(deps, userId, state.enrollment, code)) };

/** A recovery code or a temporary code standing in for the authenticator is worth an e-mail. */
const notifyFactorUsed = async (
  deps: Pick<ApplicationDeps, 'notifier' | 'sessions'>,
  user: { userId: string; officeId: string },
  newEvents: UserSecurityEvent[],
  now: Date,
) => {
  const used = newEvents.find(
    (event) => event.type === 'RecoveryCodeUsed' || event.type === 'TemporaryAccessUsed',
  );
  if (used === undefined) return;
  await notifyTwoFactorChange(deps, {
    type: used.type === 'RecoveryCodeUsed' ? 'recovery-code-used' : 'temporary-access-used',
    occurredAt: now.toISOString(),
    userId: user.userId,
    officeId: user.officeId,
  });
};
