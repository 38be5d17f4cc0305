import type { SupportRequestEvent } from './events.ts';
import type { SupportRequest, SupportRequestsState } from './state.ts';

const dayMs = 24 * 3_600_000;

/** Closed requests are kept a day past their deadline (to answer "already approved"), then forgotten. */
const remembered = (state: SupportRequestsState, now: string): SupportRequest[] => {
  const forgetUpTo = new Date(Date.parse(now) - dayMs).toISOString();
  return state.requests.filter((request) => request.status === 'pending' || request.expiresAt > forgetUpTo);
};

const withStatus = (
  state: SupportRequestsState,
  requestId: string,
  status: SupportRequest['status'],
): SupportRequestsState => ({
  requests: state.requests.map((request) =>
    request.requestId === requestId ? { ...request, status } : request,
  ),
});

export const evolveSupportRequest = (
  state: SupportRequestsState,
  event: SupportRequestEvent,
): SupportRequestsState => {
  switch (event.type) {
    case 'SupportActionRequested':
      return {
        requests: [...remembered(state, event.data.requestedAt), { ...event.data, status: 'pending' }],
      };
    case 'SupportActionApproved':
      return withStatus(state, event.data.requestId, 'approved');
    case 'SupportActionWithdrawn':
      return withStatus(state, event.data.requestId, 'withdrawn');
    case 'SupportActionExpired':
      return withStatus(state, event.data.requestId, 'expired');
  }
};
