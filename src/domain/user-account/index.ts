import type { Decider } from '../shared/decider.ts';
import type { UserAccountCommand } from './commands.ts';
import { decideUserAccount } from './decide.ts';
import type { UserAccountEvent } from './events.ts';
import { evolveUserAccount } from './evolve.ts';
import { initialUserAccountState, type UserAccountState } from './state.ts';

export type { UserAccountCommand } from './commands.ts';
export type { UserAccountState } from './state.ts';

/** The user account aggregate (`user-{id}`): who the user is, their office, role and password. */
export const userAccountDecider: Decider<UserAccountCommand, UserAccountEvent, UserAccountState> = {
  initialState: initialUserAccountState,
  decide: decideUserAccount,
  evolve: evolveUserAccount,
};
