import { userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import { actorOf } from '../../acting-user.ts';
import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import { notifyTwoFactorChange } from '../../notify-two-factor-change.ts';
import { officeReenrollmentSince } from '../../office-requirement.ts';
import { type OpenedSession, openSession } from '../../open-session.ts';
import { checkCodeAgainst } from '../../totp-checks.ts';
import type { RequestContext } from '../login/second-factor-step.ts';
import { type EnrollmentAuth, enrollingUser } from './enrolling-user.ts';

export type ConfirmEnrollmentResult = {
  /** Shown once; only their hashes are kept. */
  recoveryCodes: string[];
  /** A session when the enrolment finished a login that was held back for it. */
  session: OpenedSession | null;
  position: number | null;
};

/** Confirms an enrolment with a code from the app and issues the recovery codes. */
export const confirmEnrollment =
  (
    deps: Pick<
      ApplicationDeps,
      | 'events'
      | 'clock'
      | 'ids'
      | 'sessions'
      | 'readModels'
      | 'totp'
      | 'vault'
      | 'recoveryCodes'
      | 'notifier'
      | 'settings'
    >,
  ) =>
  async (
    auth: EnrollmentAuth,
    input: { enrollmentId: string; code: string },
    request: RequestContext,
  ): Promise<ConfirmEnrollmentResult> => {
    const user = await enrollingUser(deps, auth);
    const actor = actorOf(user);
    const reenrollmentSince = await officeReenrollmentSince(deps, user.officeId);
    const recovery = deps.recoveryCodes.generate();
    const now = deps.clock.now();
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(user.userId),
      async (state) => {
        const pending =
          state.pendingEnrollment?.enrollmentId === input.enrollmentId ? state.pendingEnrollment : null;
        return {
          type: 'ConfirmTotpEnrollment' as const,
          userId: user.userId,
          enrollmentId: input.enrollmentId,
          check: await checkCodeAgainst(deps, user.userId, pending, input.code),
          recoveryCodeHashes: recovery.hashes,
          reenrollmentSince,
          now: now.toISOString(),
          actor,
        };
      },
      { ...request, actor },
    );
    await notifyTwoFactorChange(deps, {
      type: 'two-factor-enrolled',
      occurredAt: now.toISOString(),
      userId: user.userId,
      officeId: user.officeId,
    });
    return {
      recoveryCodes: recovery.codes,
      session: await sessionAfterHeldBackLogin(deps, auth, user, now),
      position: outcome.position,
    };
  };

const sessionAfterHeldBackLogin = async (
  deps: Pick<ApplicationDeps, 'sessions' | 'settings'>,
  auth: EnrollmentAuth,
  user: Parameters<typeof openSession>[1],
  now: Date,
): Promise<OpenedSession | null> => {
  if (auth.kind === 'session') return null;
  if ((await deps.sessions.consumeChallenge(auth.challenge)) === null) {
    throw new ApplicationError('invalid-challenge', 'This login was already finished; log in again.');
  }
  return openSession(deps, user, now);
};
