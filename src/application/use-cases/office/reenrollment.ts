import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor } from '../../../domain/shared/actor.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

type Deps = Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault'>;

/** An office admin (own office) or support starts a re-enrolment campaign with a deadline and a reason. */
export const requireReenrollment =
  (deps: Deps) =>
  async (
    actor: Actor,
    input: { officeId: string; deadline: string; reason: string },
    request: RequestContext,
  ): Promise<{ position: number | null }> => {
    const outcome = await handleCommand(
      deps,
      officeDecider,
      officeStream(input.officeId),
      () => ({ type: 'RequireReenrollment' as const, ...input, now: deps.clock.now().toISOString(), actor }),
      { ...request, actor },
    );
    return { position: outcome.position };
  };

/** Ends the campaign (early, or after its deadline): enrolments made before it are good again. */
export const endReenrollment =
  (deps: Deps) =>
  async (actor: Actor, officeId: string, request: RequestContext): Promise<{ position: number | null }> => {
    const outcome = await handleCommand(
      deps,
      officeDecider,
      officeStream(officeId),
      () => ({ type: 'EndReenrollment' as const, officeId, now: deps.clock.now().toISOString(), actor }),
      { ...request, actor },
    );
    return { position: outcome.position };
  };
