import type { Actor, UserRole } from '../../../domain/shared/actor.ts';
import { userAccountStream } from '../../../domain/user-account/events.ts';
import { userAccountDecider } from '../../../domain/user-account/index.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

/** The platform changes a user's role; the same role again changes nothing. */
export const changeRole =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault'>) =>
  async (actor: Actor, input: { userId: string; role: UserRole }, request: RequestContext) => {
    const outcome = await handleCommand(
      deps,
      userAccountDecider,
      userAccountStream(input.userId),
      () => ({ type: 'ChangeRole' as const, userId: input.userId, role: input.role, actor }),
      { ...request, actor },
    );
    return { position: outcome.position };
  };
