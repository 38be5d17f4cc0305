import type { UserRole } from '../shared/actor.ts';

export type UserAccountState =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      userId: string;
      officeId: string;
      username: string;
      role: UserRole;
      passwordHash: string;
    };

export const initialUserAccountState = (): UserAccountState => ({ status: 'unregistered' });
