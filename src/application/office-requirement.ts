import { officeStream } from '../domain/office/events.ts';
import { officeDecider } from '../domain/office/index.ts';
import type { ApplicationDeps } from './dependencies.ts';
import { foldStream } from './handle-command.ts';

/** Whether an office requires 2FA now, read from its stream (the source of truth, not a projection). */
export const officeRequiresTwoFactor = async (
  deps: Pick<ApplicationDeps, 'events'>,
  officeId: string,
): Promise<boolean> => {
  const state = foldStream(officeDecider, await deps.events.readStream(officeStream(officeId)));
  return state.status === 'registered' && state.twoFactorRequired;
};

/** Start of the office's re-enrolment campaign in force, read from its stream, or null. */
export const officeReenrollmentSince = async (
  deps: Pick<ApplicationDeps, 'events'>,
  officeId: string,
): Promise<string | null> => {
  const state = foldStream(officeDecider, await deps.events.readStream(officeStream(officeId)));
  return state.status === 'registered' ? (state.reenrollment?.startedAt ?? null) : null;
};
