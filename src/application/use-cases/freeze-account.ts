import type { Actor } from '../../domain/shared/actor.ts';
import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import { actorOf } from '../acting-user.ts';
import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { handleCommand } from '../handle-command.ts';
import { supportCommand } from '../support-command.ts';
import type { RequestContext } from './login/second-factor-step.ts';

const invalidToken = () =>
  new ApplicationError('invalid-freeze-token', 'This link has expired or was used already; contact support.');

/**
 * "This wasn't me": the freeze token from a notification freezes the account without a session. Its
 * sessions end, logins are refused and 2FA changes too, until support lifts the freeze.
 */
export const freezeAccount =
  (
    deps: Pick<
      ApplicationDeps,
      'events' | 'clock' | 'ids' | 'vault' | 'readModels' | 'sessions' | 'notifier'
    >,
  ) =>
  async (token: string, request: RequestContext): Promise<{ userId: string; position: number | null }> => {
    const held = await deps.sessions.getChallenge(token);
    if (held === null || held.kind !== 'freeze') throw invalidToken();
    // Single use: of two clicks on the same link, one freezes and the other is told it was used.
    if ((await deps.sessions.consumeChallenge(token)) === null) throw invalidToken();
    const lookup = await deps.readModels.loginByUserId(held.userId);
    if (lookup === null) throw invalidToken();
    const actor = actorOf(lookup.user);
    const now = deps.clock.now().toISOString();
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(held.userId),
      () => ({ type: 'FreezeAccount' as const, userId: held.userId, now, actor }),
      { ...request, actor },
    );
    await deps.sessions.revokeUserSessions(held.userId);
    if (outcome.newEvents.length > 0) {
      deps.notifier.notify({
        type: 'account-frozen',
        occurredAt: now,
        userId: held.userId,
        officeId: lookup.user.officeId,
      });
    }
    return { userId: held.userId, position: outcome.position };
  };

/** Support lifts a freeze after checking with the user, with a reason and a ticket. */
export const unfreezeAccount =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'readModels' | 'notifier'>) =>
  async (
    actor: Actor,
    input: { userId: string; reason: string; ticket: string },
    request: RequestContext,
  ): Promise<{ position: number | null }> => {
    const { user, outcome } = await supportCommand(
      deps,
      actor,
      input.userId,
      { type: 'UnfreezeAccount', ...input, actor },
      request,
    );
    deps.notifier.notify({
      type: 'account-unfrozen',
      occurredAt: deps.clock.now().toISOString(),
      userId: input.userId,
      officeId: user.officeId,
      details: { ticket: input.ticket },
    });
    return { position: outcome.position };
  };
