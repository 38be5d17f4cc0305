import type { Actor } from '../../domain/shared/actor.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { notifyTwoFactorChange } from '../notify-two-factor-change.ts';
import { officeRequiresTwoFactor } from '../office-requirement.ts';
import { supportCommand } from '../support-command.ts';
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
    const { user, outcome } = await supportCommand(
      deps,
      actor,
      input.userId,
      { type: 'ResetTwoFactorBySupport', ...input, actor },
      request,
    );
    await deps.sessions.revokeUserSessions(input.userId);
    await notifyTwoFactorChange(deps, {
      type: 'two-factor-reset-by-support',
      occurredAt: deps.clock.now().toISOString(),
      userId: input.userId,
      officeId: user.officeId,
      details: { ticket: input.ticket },
    });
    const required = await officeRequiresTwoFactor(deps, user.officeId);
    return { position: outcome.position, nextLogin: required ? 'enrollment-required' : 'password-only' };
  };
