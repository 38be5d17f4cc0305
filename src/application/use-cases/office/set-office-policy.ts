import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor } from '../../../domain/shared/actor.ts';
import { dayMs } from '../../../domain/shared/browser-trust.ts';
import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import { endTrustedBrowsersInOffice } from '../../trusted-browsers/manage-trusted-browsers.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

export type OfficePolicyInput = {
  officeId: string;
  required: boolean;
  enforceFrom: string | null;
  /** Days a trusted browser skips the code (0 = off); undefined keeps the current value. */
  trustBrowserDays?: number;
};

/**
 * An office admin requires 2FA (optionally from a deadline) or lifts the requirement. `ifMatch`, when
 * given, is the policy revision the admin last saw: a different one means someone else changed it.
 */
export const setOfficePolicy =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'notifier' | 'readModels'>) =>
  async (actor: Actor, input: OfficePolicyInput, ifMatch: number | null, request: RequestContext) => {
    const trust = input.trustBrowserDays === undefined ? {} : { trustBrowserDays: input.trustBrowserDays };
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
              ...trust,
              actor,
            }
          : { type: 'LiftTwoFactorRequirement' as const, officeId: input.officeId, ...trust, actor },
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
    const trustChange = outcome.newEvents.find((event) => event.type === 'OfficeBrowserTrustChanged');
    const ended =
      trustChange === undefined
        ? null
        : await endTrustsOverLimit(deps, actor, input.officeId, trustChange.data.trustBrowserDays, request);
    const requirementChanged = outcome.newEvents.some((event) => event.type !== 'OfficeBrowserTrustChanged');
    if (requirementChanged) {
      deps.notifier.notify({
        type: input.required ? 'office-two-factor-required' : 'office-two-factor-requirement-lifted',
        occurredAt: deps.clock.now().toISOString(),
        officeId: input.officeId,
        details: { enforceFrom: input.enforceFrom },
      });
    }
    return { position: ended?.position ?? outcome.position, revision: outcome.revision };
  };

/**
 * A lower limit ends the trusts it makes too old, each with a `TrustedBrowserRevoked` auditors see (a
 * higher one ends nothing: those trusts had expired). The login-time check applies the limit at once
 * regardless, so a member this misses still cannot skip the code.
 */
const endTrustsOverLimit = (
  deps: Parameters<typeof endTrustedBrowsersInOffice>[0],
  actor: Actor,
  officeId: string,
  trustBrowserDays: number,
  request: RequestContext,
) =>
  endTrustedBrowsersInOffice(deps)(
    actor,
    {
      officeId,
      why: 'policy-lowered',
      trustedAtOrBefore: new Date(deps.clock.now().getTime() - trustBrowserDays * dayMs).toISOString(),
    },
    request,
  );
