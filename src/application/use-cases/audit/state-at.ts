import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import { userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { foldStream } from '../../handle-command.ts';
import type { RecordedEvent } from '../../ports/event-store.ts';

const upTo = (events: RecordedEvent[], at: string) =>
  events.filter((event) => event.metadata.occurredAt <= at);

/** A user's 2FA state as it was at `at`: the user-security stream folded up to that moment. */
export const userTwoFactorAt =
  (deps: Pick<ApplicationDeps, 'events'>) => async (userId: string, at: string) => {
    const state = foldStream(
      userSecurityDecider,
      upTo(await deps.events.readStream(userSecurityStream(userId)), at),
    );
    return {
      userId,
      at,
      enabled: state.enrollment !== null,
      enrolledAt: state.enrollment?.enrolledAt ?? null,
      pendingEnrollment: state.pendingEnrollment !== null && state.pendingEnrollment.expiresAt > at,
      lockedUntil: state.lockedUntil !== null && state.lockedUntil > at ? state.lockedUntil : null,
      recoveryCodesLeft: state.unusedRecoveryCodes.length,
      temporaryAccessUntil:
        state.temporaryAccess !== null && state.temporaryAccess.expiresAt > at
          ? state.temporaryAccess.expiresAt
          : null,
      frozen: state.frozenAt !== null,
    };
  };

/** An office's 2FA requirement as it was at `at`. */
export const officePolicyAt =
  (deps: Pick<ApplicationDeps, 'events'>) => async (officeId: string, at: string) => {
    const state = foldStream(officeDecider, upTo(await deps.events.readStream(officeStream(officeId)), at));
    return {
      officeId,
      at,
      required: state.status === 'registered' && state.twoFactorRequired,
      enforceFrom: state.status === 'registered' ? state.enforceFrom : null,
    };
  };
