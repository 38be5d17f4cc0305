import { describe, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/actor.ts';
import type { UserAccountEvent } from '../../src/domain/user-account/events.ts';
import { userAccountDecider } from '../../src/domain/user-account/index.ts';
import { spec } from './spec.ts';

const userId = 'user-1';
const officeId = 'office-1';
const platform: Actor = { id: 'platform', role: 'platform' };
const system: Actor = { id: 'svc', role: 'system' };
const self: Actor = { id: userId, role: 'member', officeId };
const admin: Actor = { id: 'admin-1', role: 'office-admin', officeId };
const support: Actor = { id: 'support-1', role: 'support' };
const hash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA';
const newHash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdDI$aGFzaDI';

const registered: UserAccountEvent = {
  type: 'UserRegistered',
  data: { userId, officeId, username: 'ada', role: 'member', passwordHash: hash },
};
const register = (actor: Actor) =>
  ({
    type: 'RegisterUser',
    userId,
    officeId,
    username: 'ada',
    role: 'member',
    passwordHash: hash,
    actor,
  }) as const;

const account = spec(userAccountDecider);

describe('user account: registration', () => {
  it('the platform registers a user in an office with a role', () => {
    account.given([]).when(register(platform)).then([registered]);
    account.given([]).when(register(system)).then([registered]);
  });

  it('a user is registered only once', () => {
    account.given([registered]).when(register(platform)).thenFails('user-already-registered');
  });

  it('only the platform registers users', () => {
    for (const actor of [admin, support, self]) {
      account.given([]).when(register(actor)).thenFails('not-permitted');
    }
  });
});

describe('user account: role change', () => {
  it('the platform changes a user role, recording the previous one', () => {
    account
      .given([registered])
      .when({ type: 'ChangeRole', userId, role: 'office-admin', actor: platform })
      .then([{ type: 'UserRoleChanged', data: { userId, role: 'office-admin', previousRole: 'member' } }]);
  });

  it('a later role change starts from the changed role', () => {
    account
      .given([
        registered,
        { type: 'UserRoleChanged', data: { userId, role: 'support', previousRole: 'member' } },
      ])
      .when({ type: 'ChangeRole', userId, role: 'auditor', actor: platform })
      .then([{ type: 'UserRoleChanged', data: { userId, role: 'auditor', previousRole: 'support' } }]);
  });

  it('changing to the current role is a no-op', () => {
    account
      .given([registered])
      .when({ type: 'ChangeRole', userId, role: 'member', actor: platform })
      .then([]);
  });

  it('the role of an unknown user cannot change', () => {
    account
      .given([])
      .when({ type: 'ChangeRole', userId, role: 'support', actor: platform })
      .thenFails('user-not-found');
  });

  it('only the platform changes roles (not the user, an office admin or support)', () => {
    for (const actor of [self, admin, support]) {
      account
        .given([registered])
        .when({ type: 'ChangeRole', userId, role: 'office-admin', actor })
        .thenFails('not-permitted');
    }
  });
});

describe('user account: password change', () => {
  const changed: UserAccountEvent = { type: 'PasswordChanged', data: { userId, passwordHash: newHash } };

  it('the user changes their own password', () => {
    account
      .given([registered])
      .when({ type: 'ChangePassword', userId, passwordHash: newHash, actor: self })
      .then([changed]);
  });

  it('the platform changes a password', () => {
    account
      .given([registered])
      .when({ type: 'ChangePassword', userId, passwordHash: newHash, actor: platform })
      .then([changed]);
  });

  it('nobody else changes a user password', () => {
    for (const actor of [admin, support, { id: 'user-2', role: 'member', officeId } satisfies Actor]) {
      account
        .given([registered])
        .when({ type: 'ChangePassword', userId, passwordHash: newHash, actor })
        .thenFails('not-permitted');
    }
  });

  it('the password of an unknown user cannot change', () => {
    account
      .given([])
      .when({ type: 'ChangePassword', userId, passwordHash: newHash, actor: platform })
      .thenFails('user-not-found');
  });
});
