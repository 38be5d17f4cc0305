import type { Actor } from '../../domain/shared/actor.ts';
import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { handleCommand } from '../handle-command.ts';
import { officeRequiresTwoFactor } from '../office-requirement.ts';
import type { RequestContext } from './login/second-factor-step.ts';

export type SupportResetResult = {
  position: number | null;
  /** What the user meets at their next login. */
  nextLogin: 'enrollment-required' | 'password-only';
};

/** Support clears a user's 2FA (lost phone): enrolment, recovery codes and lock-out go; sessions end. */
export const supportReset =
  (
    deps: Pick<
      ApplicationDeps,
      'events' | 'clock' | 'ids' | 'vault' | 'readModels' | 'sessions' | 'notifier'
    >,
  ) =>
  async (
    actor: Actor,
    input: { userId: string; reason: string; ticket: string },
    request: RequestContext,
  ): Promise<SupportResetResult> => {
    const lookup = await deps.readModels.loginByUserId(input.userId);
    if (lookup === null) throw new ApplicationError('not-found', 'No such user.');
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(input.userId),
      () => ({
        type: 'ResetTwoFactorBySupport' as const,
        userId: input.userId,
        reason: input.reason,
        ticket: input.ticket,
        actor,
      }),
      { ...request, actor },
    );
    await deps.sessions.revokeUserSessions(input.userId);
    deps.notifier.notify({
      type: 'two-factor-reset-by-support',
      occurredAt: deps.clock.now().toISOString(),
      userId: input.userId,
      officeId: lookup.user.officeId,
      details: { ticket: input.ticket },
    });
    const required = await officeRequiresTwoFactor(deps, lookup.user.officeId);
    return { position: outcome.position, nextLogin: required ? 'enrollment-required' : 'password-only' };
  };
