import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { SupportRequestCommand } from './commands.ts';
import type { SupportRequestEvent } from './events.ts';
import { findRequest, isOpen, type SupportRequest, type SupportRequestsState } from './state.ts';

const aboutOf = ({ requestId, action, userId }: SupportRequest) => ({ requestId, action, userId });

const requireSupport = (actor: Actor) => {
  if (actor.role !== 'support')
    throw new DomainError('not-permitted', 'Only support handles support requests.');
};

/** The request a decision is about, still open at `now`; refused otherwise, with why. */
const openRequest = (state: SupportRequestsState, requestId: string, now: string): SupportRequest => {
  const request = findRequest(state, requestId);
  if (request === undefined) throw new DomainError('support-request-not-found', 'No such support request.');
  if (request.status === 'expired' || (request.status === 'pending' && !isOpen(request, now)))
    throw new DomainError('support-request-expired', 'The request passed its deadline; ask again.');
  if (request.status !== 'pending')
    throw new DomainError('support-request-closed', `The request was ${request.status} already.`);
  return request;
};

export const decideSupportRequest = (
  command: SupportRequestCommand,
  state: SupportRequestsState,
): SupportRequestEvent[] => {
  switch (command.type) {
    case 'ExpireOverdueSupportActions':
      return state.requests
        .filter((request) => request.status === 'pending' && !isOpen(request, command.now))
        .map((request) => ({ type: 'SupportActionExpired', data: aboutOf(request) }));
    case 'RequestSupportAction': {
      requireSupport(command.actor);
      if (findRequest(state, command.requestId) !== undefined)
        throw new DomainError('invalid-command', 'That request id is taken.');
      const waiting = state.requests.some(
        (request) =>
          request.userId === command.userId &&
          request.action === command.action &&
          isOpen(request, command.now),
      );
      if (waiting)
        throw new DomainError('support-request-pending', 'The same request for this user awaits approval.');
      const { requestId, action, userId, reason, ticket, now, expiresAt, actor } = command;
      return [
        {
          type: 'SupportActionRequested',
          data: {
            requestId,
            action,
            userId,
            reason,
            ticket,
            requestedBy: actor,
            requestedAt: now,
            expiresAt,
          },
        },
      ];
    }
    case 'ApproveSupportAction': {
      requireSupport(command.actor);
      const request = openRequest(state, command.requestId, command.now);
      if (request.requestedBy.id === command.actor.id)
        throw new DomainError('own-support-request', 'Another support agent must approve this request.');
      return [{ type: 'SupportActionApproved', data: { ...aboutOf(request), approvedBy: command.actor } }];
    }
    case 'WithdrawSupportAction': {
      requireSupport(command.actor);
      const request = openRequest(state, command.requestId, command.now);
      if (request.requestedBy.id !== command.actor.id)
        throw new DomainError('not-permitted', 'Only the agent who asked withdraws a request.');
      return [{ type: 'SupportActionWithdrawn', data: aboutOf(request) }];
    }
  }
};
