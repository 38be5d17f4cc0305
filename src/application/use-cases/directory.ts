import { type AnyDomainEvent, isKnownEventType, parseDomainEvent } from '../../domain/events.ts';
import { officeStream } from '../../domain/office/events.ts';
import { officeDecider } from '../../domain/office/index.ts';
import type { UserRole } from '../../domain/shared/actor.ts';
import { userAccountStream } from '../../domain/user-account/events.ts';
import { userAccountDecider } from '../../domain/user-account/index.ts';
import {
  legacyUsernameStream,
  normalizeUsername,
  usernameStream,
} from '../../domain/user-account/username-events.ts';
import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { foldStream } from '../handle-command.ts';
import { openPersonalText } from '../open-personal-text.ts';
import type { RecordedEvent } from '../ports/event-store.ts';
import { usernameAssociatedData } from '../ports/personal-data-vault.ts';

export type OfficeEntry = { officeId: string; name: string; twoFactorRequired: boolean; users: number };
export type UserEntry = {
  userId: string;
  officeId: string;
  username: string;
  role: UserRole;
  twoFactor: 'none' | 'enrolled';
  enrolledAt: string | null;
};

export type UserDetails = Omit<UserEntry, 'role'> & {
  /** Null once erased: the account keeps no role then. */
  role: UserRole | null;
  status: 'registered' | 'erased';
  officeName: string | null;
};

type Deps = Pick<ApplicationDeps, 'events' | 'vault' | 'blindIndex'>;
const page = 1000;

/** Every event in store order, page by page: the directory is read from the store, not a projection. */
async function* everyEvent(deps: Deps): AsyncGenerator<RecordedEvent & { parsed: AnyDomainEvent }> {
  for (let after = 0; ; ) {
    const events = await deps.events.readAll(after, page);
    if (events.length === 0) return;
    for (const event of events)
      if (isKnownEventType(event.type)) yield { ...event, parsed: parseDomainEvent(event.type, event.data) };
    after = events.at(-1)?.position ?? after;
  }
}

const username = async (deps: Deps, userId: string, sealed: Parameters<typeof openPersonalText>[2]) =>
  (await openPersonalText(deps.vault, userId, sealed, usernameAssociatedData(userId))) ?? '[erased]';

/** Offices with their name, 2FA requirement and number of (not erased) users. */
export const listOffices = (deps: Deps) => async (): Promise<OfficeEntry[]> => {
  const offices = new Map<string, OfficeEntry>();
  const officeOf = new Map<string, string>();
  for await (const { parsed } of everyEvent(deps)) {
    const { type, data } = parsed;
    if (type === 'OfficeRegistered')
      offices.set(data.officeId, {
        officeId: data.officeId,
        name: data.name,
        twoFactorRequired: false,
        users: 0,
      });
    else if (type === 'OfficeTwoFactorRequired' || type === 'OfficeTwoFactorRequirementLifted') {
      const office = offices.get(data.officeId);
      if (office !== undefined) office.twoFactorRequired = type === 'OfficeTwoFactorRequired';
    } else if (type === 'UserRegistered') {
      officeOf.set(data.userId, data.officeId);
      const office = offices.get(data.officeId);
      if (office !== undefined) office.users += 1;
    } else if (type === 'UserErased') {
      const office = offices.get(officeOf.get(data.userId) ?? '');
      if (office !== undefined) office.users -= 1;
    }
  }
  return [...offices.values()];
};

/** The users of one office (or of all), not erased, by username. */
export const listUsers =
  (deps: Deps) =>
  async (filter: { officeId?: string }): Promise<UserEntry[]> => {
    const users = new Map<string, UserEntry & { sealedName: Parameters<typeof openPersonalText>[2] }>();
    for await (const { parsed } of everyEvent(deps)) {
      const { type, data } = parsed;
      if (type === 'UserRegistered') {
        if (filter.officeId !== undefined && data.officeId !== filter.officeId) continue;
        users.set(data.userId, {
          userId: data.userId,
          officeId: data.officeId,
          username: '',
          sealedName: data.username,
          role: data.role,
          twoFactor: 'none',
          enrolledAt: null,
        });
        continue;
      }
      const user = 'userId' in data ? users.get(data.userId) : undefined;
      if (user === undefined) continue;
      if (type === 'UserRoleChanged') user.role = data.role;
      else if (type === 'UserErased') users.delete(data.userId);
      else if (type === 'TotpEnrolled')
        Object.assign(user, { twoFactor: 'enrolled', enrolledAt: data.enrolledAt });
      else if (type === 'TotpDisabled' || type === 'SupportReset')
        Object.assign(user, { twoFactor: 'none', enrolledAt: null });
    }
    const entries = await Promise.all(
      [...users.values()].map(async ({ sealedName, ...user }) => ({
        ...user,
        username: await username(deps, user.userId, sealedName),
      })),
    );
    return entries.sort((a, b) => a.username.localeCompare(b.username));
  };

/** One user by id or by username: their account, office and 2FA state; null when there is none. */
export const showUser =
  (deps: Deps) =>
  async (idOrUsername: string): Promise<UserDetails | null> => {
    const byId = foldStream(
      userAccountDecider,
      await deps.events.readStream(userAccountStream(idOrUsername)),
    );
    const account = byId.status !== 'unregistered' ? byId : await accountByUsername(deps, idOrUsername);
    if (account === null || account.status === 'unregistered') return null;
    const security = foldStream(
      userSecurityDecider,
      await deps.events.readStream(userSecurityStream(account.userId)),
    );
    const office = foldStream(officeDecider, await deps.events.readStream(officeStream(account.officeId)));
    return {
      userId: account.userId,
      officeId: account.officeId,
      officeName: office.status === 'registered' ? office.name : null,
      username: await username(deps, account.userId, account.username),
      role: account.status === 'registered' ? account.role : null,
      status: account.status,
      twoFactor: security.enrollment === null ? 'none' : 'enrolled',
      enrolledAt: security.enrollment?.enrolledAt ?? null,
    };
  };

const accountByUsername = async (deps: Deps, name: string) => {
  const normalized = normalizeUsername(name);
  for (const streamId of [
    usernameStream(await deps.blindIndex.digest(normalized)),
    legacyUsernameStream(normalized),
  ]) {
    const last = (await deps.events.readStream(streamId)).at(-1);
    if (last?.type !== 'UsernameReserved') continue;
    const { userId } = last.data as { userId: string };
    return foldStream(userAccountDecider, await deps.events.readStream(userAccountStream(userId)));
  }
  return null;
};
