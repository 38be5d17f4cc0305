import type { Actor } from '../../domain/shared/actor.ts';
import { isSealed } from '../../domain/shared/personal-data.ts';
import { userAccountStream } from '../../domain/user-account/events.ts';
import { type UserAccountState, userAccountDecider } from '../../domain/user-account/index.ts';
import { legacyUsernameStream, usernameStream } from '../../domain/user-account/username-events.ts';
import { ApplicationError } from '../application-error.ts';
import { chainEvents } from '../audit-chain/hash-chain.ts';
import type { CommandContext } from '../command-context.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { foldStream, handleCommand, stampFor } from '../handle-command.ts';
import { openPersonalText } from '../open-personal-text.ts';
import { usernameAssociatedData } from '../ports/personal-data-vault.ts';
import { endTrustedBrowsers } from '../trusted-browsers/manage-trusted-browsers.ts';
import type { RequestContext } from './login/second-factor-step.ts';

type EraseDeps = Pick<
  ApplicationDeps,
  'events' | 'clock' | 'ids' | 'sessions' | 'notifier' | 'vault' | 'blindIndex'
>;

export type EraseUserResult = { userId: string; erasedAt: string; position: number | null };

/**
 * Forgets a user on request: records `UserErased`, frees their username, deletes their data key (which
 * leaves their username and TOTP secret in the history unreadable) and ends their sessions. The history
 * keeps every event, time, actor and hash. Safe to repeat after a partial failure.
 */
export const eraseUser =
  (deps: EraseDeps) =>
  async (
    actor: Actor,
    input: { userId: string; reason: string; ticket: string },
    request: RequestContext,
  ): Promise<EraseUserResult> => {
    const context = { ...request, actor };
    const streamId = userAccountStream(input.userId);
    const account = foldStream(userAccountDecider, await deps.events.readStream(streamId));
    if (account.status === 'unregistered') throw new ApplicationError('not-found', 'No such user.');
    // Read while the key still exists: the username's stream is found by the name.
    const username = await usernameOf(deps, account);
    const outcome = await handleCommand(
      deps,
      userAccountDecider,
      streamId,
      () => ({ type: 'EraseUser' as const, ...input, actor }),
      context,
    );
    const released = username === null ? null : await releaseUsername(deps, username, input.userId, context);
    await endTrustedBrowsers(deps)(
      actor,
      { userId: input.userId, officeId: account.officeId, why: 'erased', trustedAtOrBefore: null },
      request,
    );
    await deps.vault.erase(input.userId);
    await deps.sessions.revokeUserSessions(input.userId);
    const erasedAt = deps.clock.now().toISOString();
    deps.notifier.notify({
      type: 'user-erased',
      occurredAt: erasedAt,
      userId: input.userId,
      officeId: account.officeId,
      details: { ticket: input.ticket },
    });
    return { userId: input.userId, erasedAt, position: released ?? outcome.position };
  };

type KnownAccount = Exclude<UserAccountState, { status: 'unregistered' }>;
type Username = { name: string; sealed: boolean };

const usernameOf = async (deps: EraseDeps, account: KnownAccount): Promise<Username | null> => {
  const { userId, username } = account;
  const name = await openPersonalText(deps.vault, userId, username, usernameAssociatedData(userId));
  return name === null ? null : { name, sealed: isSealed(username) };
};

/** Appends `UsernameReleased` when the name is still reserved for this user; the position, or null. */
const releaseUsername = async (
  deps: EraseDeps,
  username: Username,
  userId: string,
  context: CommandContext,
): Promise<number | null> => {
  const streamId = username.sealed
    ? usernameStream(await deps.blindIndex.digest(username.name))
    : legacyUsernameStream(username.name);
  const last = (await deps.events.readStream(streamId)).at(-1);
  const reservedForUser =
    last?.type === 'UsernameReserved' && (last.data as { userId?: unknown }).userId === userId;
  if (last === undefined || !reservedForUser) return null;
  const result = await deps.events.append(
    streamId,
    chainEvents(streamId, last, [
      (await stampFor(deps, context))({ type: 'UsernameReleased', data: { userId } }),
    ]),
    last.revision,
  );
  return result.position;
};
