import type { Decider } from '../shared/decider.ts';
import type { UserSecurityCommand } from './commands.ts';
import { decideUserSecurity } from './decide.ts';
import type { UserSecurityEvent } from './events.ts';
import { evolveUserSecurity } from './evolve.ts';
import { initialUserSecurityState, type UserSecurityState, userSecurityStateSchema } from './state.ts';

export type {
  BrowserToTrust,
  CodeCheck,
  Proof,
  SecondFactorCheck,
  TrustEndingReason,
  UserSecurityCommand,
} from './commands.ts';
export type { UserSecurityState } from './state.ts';

/**
 * A user's second factor (`user-security-{id}`): enrolment, codes, recovery codes, lock-out, resets,
 * temporary access, freezes and trusted browsers.
 */
export const userSecurityDecider: Decider<UserSecurityCommand, UserSecurityEvent, UserSecurityState> = {
  initialState: initialUserSecurityState,
  decide: decideUserSecurity,
  evolve: evolveUserSecurity,
  // Every login appends to this stream: snapshots keep a command's cost apart from the user's history.
  // Version 2: an enrolment carries its TOTP parameters (algorithm, digits, period). Version 3: also
  // temporary access and a freeze. Version 4: also trusted browsers.
  snapshot: { schemaVersion: 4, schema: userSecurityStateSchema },
};
