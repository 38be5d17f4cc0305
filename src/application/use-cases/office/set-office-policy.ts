import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor } from '../../../domain/shared/actor.ts';
import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

export type OfficePolicyInput = { officeId: string; required: boolean; enforceFrom: string | null };

/**
 * An office admin requires 2FA (optionally from a deadline) or lifts the requirement. `ifMatch`, when
 * given, is the policy revision the admin last saw: a different one means someone else changed it.
 */
export const setOfficePolicy =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'notifier'>) =>
  async (actor: Actor, input: OfficePolicyInput, ifMatch: number | null, request: RequestContext) => {
    const outcome = await handleCommand(
      deps,
      officeDecider,
      officeStream(input.officeId),
      () =>
        input.required
          ? {
              type: 'RequireTwoFactor' as const,
              officeId: input.officeId,
              enforceFrom: input.enforceFrom,
              now: deps.clock.now().toISOString(),
              actor,
            }
          : { type: 'LiftTwoFactorRequirement' as const, officeId: input.officeId, actor },
      { ...request, actor },
      {
        // A lost race is retried on the new state, where a stale If-Match is refused with 412.
        expectRevision: (revision) => {
          if (ifMatch !== null && revision !== ifMatch) {
            throw new ApplicationError(
              'revision-mismatch',
              'The policy was changed by someone else; reload it.',
              {
                currentRevision: revision,
              },
            );
          }
        },
      },
    );
    if (outcome.newEvents.length > 0) {
      deps.notifier.notify({
        type: input.required ? 'office-two-factor-required' : 'office-two-factor-requirement-lifted',
        occurredAt: deps.clock.now().toISOString(),
        officeId: input.officeId,
        details: { enforceFrom: input.enforceFrom },
      });
    }
    return { position: outcome.position, revision: outcome.revision };
  };
