import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor } from '../../../domain/shared/actor.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

/** The platform registers an office; the id is the platform's own when it gives one. */
export const registerOffice =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault'>) =>
  async (actor: Actor, input: { officeId?: string; name: string }, request: RequestContext) => {
    const officeId = input.officeId ?? deps.ids.next();
    const outcome = await handleCommand(
      deps,
      officeDecider,
      officeStream(officeId),
      () => ({ type: 'RegisterOffice' as const, officeId, name: input.name, actor }),
      { ...request, actor },
      { maxAttempts: 1 },
    );
    return { officeId, position: outcome.position };
  };
