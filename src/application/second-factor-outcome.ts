import { DomainError } from '../domain/shared/domain-error.ts';
import type { UserSecurityEvent } from '../domain/user-security/events.ts';
import type { ApplicationDeps } from './dependencies.ts';
import { notifyTwoFactorChange } from './notify-two-factor-change.ts';
import type { UserLoginView } from './ports/read-models.ts';

/**
 * A rejected code is recorded (so the lock-out counts it) and only then reported: this turns the
 * recorded rejection into the error the caller sees, and tells the notifier about a lock-out.
 */
export const throwIfRejected = async (
  deps: Pick<ApplicationDeps, 'notifier' | 'sessions'>,
  user: Pick<UserLoginView, 'userId' | 'officeId'>,
  newEvents: UserSecurityEvent[],
  now: Date,
): Promise<void> => {
  for (const event of newEvents) {
    if (event.type === 'SecondFactorLockedOut') {
      await notifyTwoFactorChange(deps, {
        type: 'second-factor-locked-out',
        occurredAt: now.toISOString(),
        userId: user.userId,
        officeId: user.officeId,
        details: { lockedUntil: event.data.lockedUntil },
      });
      throw new DomainError('locked-out', 'Too many wrong codes; try again later.', {
        lockedUntil: event.data.lockedUntil,
      });
    }
  }
  // Wrong, malformed and replayed codes get one answer, so the answer tells a guesser nothing.
  if (newEvents.some((event) => event.type === 'SecondFactorRejected')) {
    throw new DomainError(
      'invalid-code',
      'The code is not valid, or it was used already: wait for the next one.',
    );
  }
};
