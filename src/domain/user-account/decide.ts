import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { PasswordChangeProof, UserAccountCommand } from './commands.ts';
import type { UserAccountEvent } from './events.ts';
import type { UserAccountState } from './state.ts';

const isPlatform = (actor: Actor) => actor.role === 'platform' || actor.role === 'system';

/** A user changing their own password proves it is them: the current password, and a code where enrolled. */
const requireFreshProof = (proof: PasswordChangeProof | null) => {
  if (proof === null || !proof.currentPasswordValid)
    throw new DomainError('invalid-password', 'The current password is not right.');
  if (proof.secondFactor === 'missing')
    throw new DomainError('code-required', 'Two-factor authentication is on: send a current code too.');
};

export const decideUserAccount = (
  command: UserAccountCommand,
  state: UserAccountState,
): UserAccountEvent[] => {
  if (command.type === 'RegisterUser') {
    if (!isPlatform(command.actor))
      throw new DomainError('not-permitted', 'Only the platform registers users.');
    if (state.status !== 'unregistered')
      throw new DomainError('user-already-registered', 'The user exists already.');
    const { userId, officeId, username, role, passwordHash } = command;
    return [{ type: 'UserRegistered', data: { userId, officeId, username, role, passwordHash } }];
  }
  if (command.type === 'ChangePassword') {
    if (!isPlatform(command.actor) && command.actor.id !== command.userId) {
      throw new DomainError('not-permitted', 'Only the user or the platform changes a password.');
    }
    if (state.status !== 'registered') throw new DomainError('user-not-found', 'No such user.');
    if (!isPlatform(command.actor)) requireFreshProof(command.proof);
    return [
      { type: 'PasswordChanged', data: { userId: command.userId, passwordHash: command.passwordHash } },
    ];
  }
  if (command.type === 'EraseUser') {
    if (!isPlatform(command.actor) && command.actor.role !== 'support')
      throw new DomainError('not-permitted', 'Only support or the platform erases a user.');
    if (state.status === 'unregistered') throw new DomainError('user-not-found', 'No such user.');
    if (state.status === 'erased') return [];
    const { userId, reason, ticket } = command;
    return [{ type: 'UserErased', data: { userId, reason, ticket } }];
  }
  if (!isPlatform(command.actor)) throw new DomainError('not-permitted', 'Only the platform changes roles.');
  if (state.status !== 'registered') throw new DomainError('user-not-found', 'No such user.');
  if (state.role === command.role) return [];
  return [
    {
      type: 'UserRoleChanged',
      data: { userId: command.userId, role: command.role, previousRole: state.role },
    },
  ];
};
