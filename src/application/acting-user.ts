import type { Actor } from '../domain/shared/actor.ts';
import type { UserLoginView } from './ports/read-models.ts';

/** The actor a user's own commands run as. */
export const actorOf = (user: Pick<UserLoginView, 'userId' | 'role' | 'officeId'>): Actor => ({
  id: user.userId,
  role: user.role,
  officeId: user.officeId,
});
