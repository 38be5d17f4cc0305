import type { Decider } from '../shared/decider.ts';
import type { SupportRequestCommand } from './commands.ts';
import { decideSupportRequest } from './decide.ts';
import type { SupportRequestEvent } from './events.ts';
import { evolveSupportRequest } from './evolve.ts';
import {
  initialSupportRequestsState,
  type SupportRequestsState,
  supportRequestsStateSchema,
} from './state.ts';

export type { SupportRequestCommand } from './commands.ts';
export type { SupportAction, SupportRequestEvent } from './events.ts';
export type { SupportRequest, SupportRequestsState } from './state.ts';
export { findRequest, isOpen } from './state.ts';

/**
 * Four-eyes (`support-requests`): a support action one agent asks for and another approves, or the asker
 * withdraws, before its deadline.
 */
export const supportRequestDecider: Decider<
  SupportRequestCommand,
  SupportRequestEvent,
  SupportRequestsState
> = {
  initialState: initialSupportRequestsState,
  decide: decideSupportRequest,
  evolve: evolveSupportRequest,
  snapshot: { schemaVersion: 1, schema: supportRequestsStateSchema },
};
