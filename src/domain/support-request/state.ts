import { z } from 'zod';
import { actorSchema } from '../shared/actor.ts';
import { supportActionSchema } from './events.ts';

export const supportRequestSchema = z.object({
  requestId: z.string(),
  action: supportActionSchema,
  userId: z.string(),
  reason: z.string(),
  ticket: z.string(),
  requestedBy: actorSchema,
  requestedAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['pending', 'approved', 'withdrawn', 'expired']),
});
export type SupportRequest = z.infer<typeof supportRequestSchema>;

/**
 * The open requests, and closed ones until a day after their deadline (then a new request forgets them),
 * oldest first. A list: a few hundred at most, and copying one is far cheaper than a keyed object.
 */
export const supportRequestsStateSchema = z.object({ requests: z.array(supportRequestSchema) });
export type SupportRequestsState = z.infer<typeof supportRequestsStateSchema>;

export const initialSupportRequestsState = (): SupportRequestsState => ({ requests: [] });

export const findRequest = (state: SupportRequestsState, requestId: string): SupportRequest | undefined =>
  state.requests.find((request) => request.requestId === requestId);

/** Pending and before its deadline: the only request that can still be approved or withdrawn. */
export const isOpen = (request: SupportRequest, now: string): boolean =>
  request.status === 'pending' && now < request.expiresAt;
