import { userAccountStream } from '../../../domain/user-account/events.ts';
import { userAccountDecider } from '../../../domain/user-account/index.ts';
import { legacyUsernameStream, usernameStream } from '../../../domain/user-account/username-events.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { foldStream } from '../../handle-command.ts';

export type RegisteredUser = { userId: string; officeId: string };

const reservedBy = async (
  deps: Pick<ApplicationDeps, 'events'>,
  streamId: string,
): Promise<string | null> => {
  const last = (await deps.events.readStream(streamId)).at(-1);
  if (last?.type !== 'UsernameReserved') return null;
  return (last.data as { userId: string }).userId;
};

/**
 * The registered user holding a (normalized) username, read from the event store rather than a
 * projection, so that it answers the same in a CLI process that projects nothing.
 */
export const findUserByUsername = async (
  deps: Pick<ApplicationDeps, 'events' | 'blindIndex'>,
  username: string,
): Promise<RegisteredUser | null> => {
  const userId =
    (await reservedBy(deps, usernameStream(await deps.blindIndex.digest(username)))) ??
    (await reservedBy(deps, legacyUsernameStream(username)));
  if (userId === null) return null;
  const account = foldStream(userAccountDecider, await deps.events.readStream(userAccountStream(userId)));
  return account.status === 'registered' ? { userId, officeId: account.officeId } : null;
};
