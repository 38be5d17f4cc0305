import type { SupportRequestEvent } from './events.ts';
import type { SupportRequest, SupportRequestsState } from './state.ts';

const dayMs = 24 * 3_600_000;

/** Closed requests are kept a day past their deadline (to answer "already approved"), then forgotten. */
const stillRemembered = (request: SupportRequest, now: string): boolean =>
  request.status === 'pending' || Date.parse(request.expiresAt) + dayMs > Date.parse(now);

const withStatus = (
  state: SupportRequestsState,
  requestId: string,
  status: SupportRequest['status'],
): SupportRequestsState => {
  const request = state.requests[requestId];
  if (request === undefined) return state;
  return { requests: { ...state.requests, [requestId]: { ...request, status } } };
};

export const evolveSupportRequest = (
  state: SupportRequestsState,
  event: SupportRequestEvent,
): SupportRequestsState => {
  switch (event.type) {
    case 'SupportActionRequested': {
      const kept = Object.entries(state.requests).filter(([, request]) =>
        stillRemembered(request, event.data.requestedAt),
      );
      const request: SupportRequest = { ...event.data, status: 'pending' };
      return { requests: { ...Object.fromEntries(kept), [event.data.requestId]: request } };
    }
    case 'SupportActionApproved':
      return withStatus(state, event.data.requestId, 'approved');
    case 'SupportActionWithdrawn':
      return withStatus(state, event.data.requestId, 'withdrawn');
    case 'SupportActionExpired':
      return withStatus(state, event.data.requestId, 'expired');
  }
};
