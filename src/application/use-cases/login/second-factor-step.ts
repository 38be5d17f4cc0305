import { DomainError } from '../../../domain/shared/domain-error.ts';
import { userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import { actorOf } from '../../acting-user.ts';
import { ApplicationError } from '../../application-error.ts';
import type { CommandContext } from '../../command-context.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import { type OpenedSession, openSessionUsingChallenge } from '../../open-session.ts';
import { throwIfRejected } from '../../second-factor-outcome.ts';
import { checkCodeAgainst } from '../../totp-checks.ts';

export type SecondFactorInput = { challenge: string } & ({ code: string } | { recoveryCode: string });

export type RequestContext = Omit<CommandContext, 'actor'>;

/**
 * Finishes a login with a TOTP code or a recovery code. Every rejection is recorded as an event so the
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
    >,
  ) =>
  async (input: SecondFactorInput, request: RequestContext): Promise<OpenedSession> => {
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
            ? {
                method: 'totp' as const,
                ...(await checkCodeAgainst(deps, user.userId, state.enrollment, input.code)),
              }
            : { method: 'recovery-code' as const, codeHash: deps.recoveryCodes.hash(input.recoveryCode) },
      }),
      { ...request, actor },
    );

    throwIfRejected(deps, user, outcome.newEvents, now);
    if (!outcome.newEvents.some((event) => event.type === 'SecondFactorVerified')) {
      throw new DomainError('invalid-code', 'The code is not valid.');
    }
    const opened = await openSessionUsingChallenge(deps, user, now, input.challenge);
    if (opened === null) {
      throw new ApplicationError('invalid-challenge', 'This login was already finished; log in again.');
    }
    return opened;
  };
