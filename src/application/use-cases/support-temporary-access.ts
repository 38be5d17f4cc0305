import type { Actor } from '../../domain/shared/actor.ts';
import { addMs } from '../../domain/user-security/policy.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { notifyTwoFactorChange } from '../notify-two-factor-change.ts';
import { supportCommand } from '../support-command.ts';
import type { RequestContext } from './login/second-factor-step.ts';

type SupportInput = { userId: string; reason: string; ticket: string };

export type TemporaryAccessIssuedResult = {
  /** Shown once to the agent, who reads it to the user; only its hash is kept. */
  code: string;
  expiresAt: string;
  position: number | null;
};

/**
 * Support gives a user who lost their authenticator a code that stands in for it at login until the
 * deadline (TEMPORARY_ACCESS_MAX_HOURS) or the next enrolment. The lost authenticator stops working and
 * the user's sessions end, as in a reset; unlike a reset, the account never drops to one factor.
 */
export const issueTemporaryAccess =
  (
    deps: Pick<
      ApplicationDeps,
      | 'events'
      | 'clock'
      | 'ids'
      | 'vault'
      | 'readModels'
      | 'sessions'
      | 'notifier'
      | 'recoveryCodes'
      | 'settings'
    >,
  ) =>
  async (
    actor: Actor,
    input: SupportInput,
    request: RequestContext,
  ): Promise<TemporaryAccessIssuedResult> => {
    const { code, hash } = deps.recoveryCodes.generateOne();
    const now = deps.clock.now().toISOString();
    const expiresAt = addMs(now, deps.settings.temporaryAccessHours * 3_600_000);
    const { user, outcome } = await supportCommand(
      deps,
      actor,
      input.userId,
      { type: 'IssueTemporaryAccess', ...input, codeHash: hash, expiresAt, now, actor },
      request,
    );
    await deps.sessions.revokeUserSessions(input.userId);
    await notifyTwoFactorChange(deps, {
      type: 'temporary-access-issued',
      occurredAt: now,
      userId: input.userId,
      officeId: user.officeId,
      details: { ticket: input.ticket, expiresAt },
    });
    return { code, expiresAt, position: outcome.position };
  };

/** Support ends a temporary access early (the phone turned up, or the call was not the user). */
export const endTemporaryAccess =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'readModels'>) =>
  async (
    actor: Actor,
    input: SupportInput,
    request: RequestContext,
  ): Promise<{ position: number | null }> => {
    const now = deps.clock.now().toISOString();
    const { outcome } = await supportCommand(
      deps,
      actor,
      input.userId,
      { type: 'EndTemporaryAccess', ...input, now, actor },
      request,
    );
    return { position: outcome.position };
  };
