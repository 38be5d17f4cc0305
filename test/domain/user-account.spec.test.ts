import { describe, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/actor.ts';
import type { PasswordChangeProof } from '../../src/domain/user-account/commands.ts';
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

  const byUser = (proof: PasswordChangeProof | null, actor: Actor = self) =>
    ({ type: 'ChangePassword', userId, passwordHash: newHash, proof, actor }) as const;

  it('the user changes their own password with the current one (no 2FA enrolled)', () => {
    account
      .given([registered])
      .when(byUser({ currentPasswordValid: true, secondFactor: 'not-enrolled' }))
      .then([changed]);
  });

  it('an enrolled user changes their password with the current one and a fresh code', () => {
    account
      .given([registered])
      .when(byUser({ currentPasswordValid: true, secondFactor: 'verified' }))
      .then([changed]);
  });

  it('a wrong current password, or none, changes nothing', () => {
    account
      .given([registered])
      .when(byUser({ currentPasswordValid: false, secondFactor: 'verified' }))
      .thenFails('invalid-password');
    account.given([registered]).when(byUser(null)).thenFails('invalid-password');
  });

  it('an enrolled user without a fresh code changes nothing', () => {
    account
      .given([registered])
      .when(byUser({ currentPasswordValid: true, secondFactor: 'missing' }))
      .thenFails('code-required');
  });

  it('the platform sets a password (after its own reset flow) without the old one', () => {
    account.given([registered]).when(byUser(null, platform)).then([changed]);
    account.given([registered]).when(byUser(null, system)).then([changed]);
  });

  it('nobody else changes a user password', () => {
    for (const actor of [admin, support, { id: 'user-2', role: 'member', officeId } satisfies Actor]) {
      account
        .given([registered])
        .when({
          type: 'ChangePassword',
          userId,
          passwordHash: newHash,
          proof: { currentPasswordValid: true, secondFactor: 'verified' },
          actor,
        })
        .thenFails('not-permitted');
    }
  });

  it('the password of an unknown user cannot change', () => {
    account
      .given([])
      .when({ type: 'ChangePassword', userId, passwordHash: newHash, proof: null, actor: platform })
      .thenFails('user-not-found');
  });
});

describe('user account: erasure', () => {
  const sealedName = { keyId: '@subject', iv: 'aXY=', ciphertext: 'Y3Q=', tag: 'dGFn' };
  const sealedRegistration: UserAccountEvent = {
    type: 'UserRegistered',
    data: { userId, officeId, username: sealedName, role: 'member', passwordHash: hash },
  };
  const erase = (actor: Actor) =>
    ({ type: 'EraseUser', userId, reason: 'GDPR request', ticket: 'DPO-7', actor }) as const;
  const erased: UserAccountEvent = {
    type: 'UserErased',
    data: { userId, reason: 'GDPR request', ticket: 'DPO-7' },
  };

  it('support erases a registered user with a reason and a ticket', () => {
    account.given([sealedRegistration]).when(erase(support)).then([erased]);
  });

  it('the platform (the CLI) erases a user', () => {
    account.given([registered]).when(erase(platform)).then([erased]);
    account.given([registered]).when(erase(system)).then([erased]);
  });

  it('erasing an erased user again records nothing, so a retried erasure can finish its work', () => {
    account.given([sealedRegistration, erased]).when(erase(support)).then([]);
  });

  it('nobody but support or the platform erases a user (not the user, nor an office admin)', () => {
    for (const actor of [self, admin, { id: 'aud-1', role: 'auditor' } satisfies Actor]) {
      account.given([registered]).when(erase(actor)).thenFails('not-permitted');
    }
  });

  it('an unknown user cannot be erased', () => {
    account.given([]).when(erase(support)).thenFails('user-not-found');
  });

  it('an erased user keeps their id: it cannot be registered again, nor change password or role', () => {
    account.given([registered, erased]).when(register(platform)).thenFails('user-already-registered');
    account
      .given([registered, erased])
      .when({
        type: 'ChangePassword',
        userId,
        passwordHash: newHash,
        proof: { currentPasswordValid: true, secondFactor: 'not-enrolled' },
        actor: self,
      })
      .thenFails('user-not-found');
    account
      .given([registered, erased])
      .when({ type: 'ChangeRole', userId, role: 'support', actor: platform })
      .thenFails('user-not-found');
  });
});
