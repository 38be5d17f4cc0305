import type { UserRole } from '../shared/actor.ts';
import type { PersonalText } from '../shared/personal-data.ts';

export type UserAccountState =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      userId: string;
      officeId: string;
      username: PersonalText;
      role: UserRole;
      passwordHash: PersonalText;
    }
  /** Forgotten on request: the sealed username stays so that a retried erasure can still release it. */
  | { status: 'erased'; userId: string; officeId: string; username: PersonalText };

export const initialUserAccountState = (): UserAccountState => ({ status: 'unregistered' });
