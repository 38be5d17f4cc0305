import type { Decider } from '../shared/decider.ts';
import type { OfficeCommand } from './commands.ts';
import { decideOffice } from './decide.ts';
import type { OfficeEvent } from './events.ts';
import { evolveOffice } from './evolve.ts';
import { initialOfficeState, type OfficeState, officeStateSchema } from './state.ts';

export type { OfficeCommand } from './commands.ts';
export type { OfficeState } from './state.ts';

/** The office aggregate (`office-{id}`): registration, the office's 2FA requirement, browser trust and its re-enrolment campaign. */
export const officeDecider: Decider<OfficeCommand, OfficeEvent, OfficeState> = {
  initialState: initialOfficeState,
  decide: decideOffice,
  evolve: evolveOffice,
  // Version 3: the state holds `trustBrowserDays` and the re-enrolment campaign.
  snapshot: { schemaVersion: 3, schema: officeStateSchema },
};
