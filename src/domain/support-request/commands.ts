import type { Actor } from '../shared/actor.ts';
import type { SupportAction } from './events.ts';

/** `now` is when the command is decided: deadlines are judged against it, never against a stored flag. */
export type SupportRequestCommand =
  | {
      type: 'RequestSupportAction';
      requestId: string;
      action: SupportAction;
      userId: string;
      reason: string;
      ticket: string;
      now: string;
      expiresAt: string;
      actor: Actor;
    }
  | { type: 'ApproveSupportAction'; requestId: string; now: string; actor: Actor }
  | { type: 'WithdrawSupportAction'; requestId: string; now: string; actor: Actor }
  /** Records `SupportActionExpired` for every request past its deadline that is still pending. */
  | { type: 'ExpireOverdueSupportActions'; now: string };
