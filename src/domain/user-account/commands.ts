import type { Actor, UserRole } from '../shared/actor.ts';
import type { PersonalText } from '../shared/personal-data.ts';

export type UserAccountCommand =
  | {
      type: 'RegisterUser';
      userId: string;
      officeId: string;
      username: PersonalText;
      role: UserRole;
      passwordHash: PersonalText;
      actor: Actor;
    }
  | { type: 'ChangePassword'; userId: string; passwordHash: PersonalText; actor: Actor }
  | { type: 'ChangeRole'; userId: string; role: UserRole; actor: Actor }
  | { type: 'EraseUser'; userId: string; reason: string; ticket: string; actor: Actor };
