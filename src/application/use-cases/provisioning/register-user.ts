import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor, UserRole } from '../../../domain/shared/actor.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import type { EncryptedSecret } from '../../../domain/shared/encrypted-secret.ts';
import { userAccountStream } from '../../../domain/user-account/events.ts';
import { userAccountDecider } from '../../../domain/user-account/index.ts';
import {
  isUsernameFree,
  legacyUsernameStream,
  normalizeUsername,
  usernameStream,
} from '../../../domain/user-account/username-events.ts';
import { chainEvents } from '../../audit-chain/hash-chain.ts';
import type { CommandContext } from '../../command-context.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { foldStream, handleCommand, stampFor } from '../../handle-command.ts';
import { sealedPasswordHash } from '../../password-check.ts';
import { requireAcceptablePassword } from '../../password-policy.ts';
import { ConcurrencyError } from '../../ports/event-store.ts';
import { usernameAssociatedData } from '../../ports/personal-data-vault.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

export type RegisterUserInput = {
  userId?: string;
  officeId: string;
  username: string;
  password: string;
  role: UserRole;
};

/** The platform creates a user in an existing office; the username is claimed first, so it is unique. */
export const registerUser =
  (
    deps: Pick<
      ApplicationDeps,
      'events' | 'clock' | 'ids' | 'passwords' | 'vault' | 'blindIndex' | 'commonPasswords'
    >,
  ) =>
  async (actor: Actor, input: RegisterUserInput, request: RequestContext) => {
    requireAcceptablePassword(deps, input.password);
    const office = foldStream(officeDecider, await deps.events.readStream(officeStream(input.officeId)));
    if (office.status !== 'registered') throw new DomainError('office-not-found', 'No such office.');
    const userId = input.userId ?? deps.ids.next();
    const username = normalizeUsername(input.username);
    // The events must read back: a blank username, or one that normalizing made too long, would stop the projector.
    if (username.length < 1 || username.length > 200)
      throw new DomainError(
        'invalid-command',
        'A username needs 1 to 200 characters besides surrounding spaces.',
      );
    // Refused before the username is claimed, so a taken user id does not leave the username claimed by nobody.
    const existing = foldStream(userAccountDecider, await deps.events.readStream(userAccountStream(userId)));
    if (existing.status !== 'unregistered')
      throw new DomainError('user-already-registered', 'The user exists already.');
    const context = { ...request, actor };
    const sealedUsername = await deps.vault.seal(userId, username, usernameAssociatedData(userId));
    await reserveUsername(deps, username, userId, sealedUsername, context);
    const passwordHash = await sealedPasswordHash(deps, userId, input.password);
    const outcome = await handleCommand(
      deps,
      userAccountDecider,
      userAccountStream(userId),
      () => ({
        type: 'RegisterUser' as const,
        userId,
        officeId: input.officeId,
        username: sealedUsername,
        role: input.role,
        passwordHash,
        actor,
      }),
      context,
      { maxAttempts: 1 },
    );
    return { userId, username, position: outcome.position };
  };

/**
 * Claims the name's stream: new, or last released by an erasure; a racing claim loses with a conflict.
 * A name reserved before stream names were digests is still in its old stream, which nothing writes now.
 */
const reserveUsername = async (
  deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'blindIndex'>,
  username: string,
  userId: string,
  sealedUsername: EncryptedSecret,
  context: CommandContext,
): Promise<void> => {
  const taken = () => new DomainError('user-already-registered', 'That username is taken.');
  const legacy = (await deps.events.readStream(legacyUsernameStream(username))).at(-1);
  if (!isUsernameFree(legacy?.type)) throw taken();
  const streamId = usernameStream(await deps.blindIndex.digest(username));
  const history = await deps.events.readStream(streamId);
  const last = history.at(-1);
  if (!isUsernameFree(last?.type)) throw taken();
  const reserved = (await stampFor(deps, context))({
    type: 'UsernameReserved',
    data: { username: sealedUsername, userId },
  });
  try {
    await deps.events.append(
      streamId,
      chainEvents(streamId, last, [reserved]),
      last === undefined ? 'no-stream' : last.revision,
    );
  } catch (error) {
    if (error instanceof ConcurrencyError) throw taken();
    throw error;
  }
};
