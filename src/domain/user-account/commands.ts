import type { Actor, UserRole } from '../shared/actor.ts';
import type { PersonalText } from '../shared/personal-data.ts';

/**
 * Established by the application (the domain does no crypto): was the current password right, and was
 * a fresh second factor verified (needed only when the user has enrolled one)?
 */
export type PasswordChangeProof = {
  currentPasswordValid: boolean;
  secondFactor: 'not-enrolled' | 'verified' | 'missing';
};

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
  | {
      type: 'ChangePassword';
      userId: string;
      passwordHash: PersonalText;
      /** What the user proved when changing their own password; the platform proves nothing here. */
      proof: PasswordChangeProof | null;
      actor: Actor;
    }
  | { type: 'ChangeRole'; userId: string; role: UserRole; actor: Actor }
  | { type: 'EraseUser'; userId: string; reason: string; ticket: string; actor: Actor };
