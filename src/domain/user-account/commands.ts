import type { Actor, UserRole } from '../shared/actor.ts';

export type UserAccountCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      officeId: string;
      username: string;
      role: UserRole;
      passwordHash: string;
      actor: Actor;
    }
  | { type: 'ChangePassword'; userId: string; passwordHash: string; actor: Actor }
  | { type: 'ChangeRole'; userId: string; role: UserRole; actor: Actor };
