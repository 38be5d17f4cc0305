import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor, UserRole } from '../../../domain/shared/actor.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { userAccountStream } from '../../../domain/user-account/events.ts';
import { userAccountDecider } from '../../../domain/user-account/index.ts';
import { normalizeUsername, usernameStream } from '../../../domain/user-account/username-events.ts';
import { chainEvents } from '../../audit-chain/hash-chain.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { foldStream, handleCommand, withMetadata } from '../../handle-command.ts';
import { ConcurrencyError } from '../../ports/event-store.ts';
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
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'passwords'>) =>
  async (actor: Actor, input: RegisterUserInput, request: RequestContext) => {
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
    if (existing.status === 'registered')
      throw new DomainError('user-already-registered', 'The user exists already.');
    const context = { ...request, actor };
    try {
      await deps.events.append(
        usernameStream(username),
        chainEvents(usernameStream(username), undefined, [
          withMetadata(deps, { type: 'UsernameReserved', data: { username, userId } }, context),
        ]),
        'no-stream',
      );
    } catch (error) {
      if (error instanceof ConcurrencyError)
        throw new DomainError('user-already-registered', 'That username is taken.');
      throw error;
    }
    const passwordHash = await deps.passwords.hash(input.password);
    const outcome = await handleCommand(
      deps,
      userAccountDecider,
      userAccountStream(userId),
      () => ({
        type: 'RegisterUser' as const,
        userId,
        officeId: input.officeId,
        username,
        role: input.role,
        passwordHash,
        actor,
      }),
      context,
      { maxAttempts: 1 },
    );
    return { userId, username, position: outcome.position };
  };
