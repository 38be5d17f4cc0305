import type { Actor } from '../domain/shared/actor.ts';
import { userSecurityStream } from '../domain/user-security/events.ts';
import { type UserSecurityCommand, userSecurityDecider } from '../domain/user-security/index.ts';
import { ApplicationError } from './application-error.ts';
import type { ApplicationDeps } from './dependencies.ts';
import { handleCommand } from './handle-command.ts';
import type { RequestContext } from './use-cases/login/second-factor-step.ts';

/**
 * A support agent's command on a user's 2FA: the user must exist (404 otherwise, before anything is
 * written), and the command runs as the agent, who is the actor in its events' metadata.
 */
export const supportCommand = async (
  deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'readModels'>,
  actor: Actor,
  userId: string,
  command: UserSecurityCommand,
  request: RequestContext,
) => {
  const lookup = await deps.readModels.loginByUserId(userId);
  if (lookup === null) throw new ApplicationError('not-found', 'No such user.');
  const outcome = await handleCommand(deps, userSecurityDecider, userSecurityStream(userId), () => command, {
    ...request,
    actor,
  });
  return { user: lookup.user, outcome };
};
