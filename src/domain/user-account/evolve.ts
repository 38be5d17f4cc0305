import type { UserAccountEvent } from './events.ts';
import type { UserAccountState } from './state.ts';

export const evolveUserAccount = (state: UserAccountState, event: UserAccountEvent): UserAccountState => {
  switch (event.type) {
    case 'UserRegistered':
      return { status: 'registered', ...event.data };
    case 'PasswordChanged':
      return state.status === 'registered' ? { ...state, passwordHash: event.data.passwordHash } : state;
    case 'UserRoleChanged':
      return state.status === 'registered' ? { ...state, role: event.data.role } : state;
    case 'UserErased':
      return state.status === 'registered'
        ? { status: 'erased', userId: state.userId, officeId: state.officeId, username: state.username }
        : state;
  }
};
