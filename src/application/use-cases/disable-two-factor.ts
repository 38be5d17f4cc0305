import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { checkProof, type ProofInput, signedInUser } from '../fresh-proof.ts';
import { handleCommand } from '../handle-command.ts';
import { notifyTwoFactorChange } from '../notify-two-factor-change.ts';
import { officeRequiresTwoFactor } from '../office-requirement.ts';
import type { Session } from '../ports/session-store.ts';
import { throwIfRejected } from '../second-factor-outcome.ts';
import type { RequestContext } from './login/second-factor-step.ts';

/**
 * A user turns their own 2FA off, proving it is them with a code or their password. Refused while the
 * office requires 2FA (checked on the office's stream). Their other sessions end.
 */
export const disableTwoFactor =
  (
    deps: Pick<
      ApplicationDeps,
      'events' | 'clock' | 'ids' | 'readModels' | 'sessions' | 'passwords' | 'totp' | 'vault' | 'notifier'
    >,
  ) =>
  async (
    session: Session,
    sessionToken: string,
    proof: ProofInput,
    request: RequestContext,
  ): Promise<{ position: number | null }> => {
    const { user, actor } = await signedInUser(deps, session);
    const officeRequires = await officeRequiresTwoFactor(deps, user.officeId);
    const now = deps.clock.now();
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(user.userId),
      async (state) => ({
        type: 'DisableTotp' as const,
        userId: user.userId,
        officeRequiresTwoFactor: officeRequires,
        now: now.toISOString(),
        actor,
        proof: await checkProof(deps, user, state, proof),
      }),
      { ...request, actor },
    );
    await throwIfRejected(deps, user, outcome.newEvents, now);
    await deps.sessions.revokeUserSessions(user.userId, sessionToken);
    await notifyTwoFactorChange(deps, {
      type: 'two-factor-disabled',
      occurredAt: now.toISOString(),
      userId: user.userId,
      officeId: user.officeId,
    });
    return { position: outcome.position };
  };
