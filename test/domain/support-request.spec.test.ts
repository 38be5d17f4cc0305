import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/actor.ts';
import type { SupportRequestCommand, SupportRequestEvent } from '../../src/domain/support-request/index.ts';
import { supportRequestDecider } from '../../src/domain/support-request/index.ts';
import { fold, spec } from './spec.ts';

const asker: Actor = { id: 'agent-ann', role: 'support', officeId: 'helpdesk' };
const approver: Actor = { id: 'agent-bob', role: 'support', officeId: 'helpdesk' };
const member: Actor = { id: 'member-1', role: 'member', officeId: 'office-1' };
const requestedAt = '2026-12-01T09:00:00.000Z';
const expiresAt = '2026-12-02T09:00:00.000Z';
const beforeDeadline = '2026-12-02T08:59:59.999Z';
const about = { requestId: 'request-1', action: 'two-factor-reset', userId: 'user-1' } as const;
const why = { reason: 'Lost phone, identity checked by call-back', ticket: 'SUP-1' };

const requested: SupportRequestEvent = {
  type: 'SupportActionRequested',
  data: { ...about, ...why, requestedBy: asker, requestedAt, expiresAt },
};
const approved: SupportRequestEvent = {
  type: 'SupportActionApproved',
  data: { ...about, approvedBy: approver },
};
const withdrawn: SupportRequestEvent = { type: 'SupportActionWithdrawn', data: about };
const expired: SupportRequestEvent = { type: 'SupportActionExpired', data: about };

const request = (overrides: Partial<Extract<SupportRequestCommand, { type: 'RequestSupportAction' }>> = {}) =>
  ({
    type: 'RequestSupportAction',
    ...about,
    ...why,
    now: requestedAt,
    expiresAt,
    actor: asker,
    ...overrides,
  }) satisfies SupportRequestCommand;
const approve = (actor = approver, now = beforeDeadline): SupportRequestCommand => ({
  type: 'ApproveSupportAction',
  requestId: about.requestId,
  now,
  actor,
});
const withdraw = (actor = asker, now = beforeDeadline): SupportRequestCommand => ({
  type: 'WithdrawSupportAction',
  requestId: about.requestId,
  now,
  actor,
});

const requests = spec(supportRequestDecider);

describe('support request: asking', () => {
  it('support asks for an action on a user, with a reason, a ticket and a deadline', () => {
    requests.given([]).when(request()).then([requested]);
  });

  it('only support asks', () => {
    requests
      .given([])
      .when(request({ actor: member }))
      .thenFails('not-permitted');
  });

  it('the same action for the same user cannot be asked twice while one waits', () => {
    requests
      .given([requested])
      .when(request({ requestId: 'request-2' }))
      .thenFails('support-request-pending');
  });

  it('another action for the same user may wait next to it', () => {
    const events = requests
      .given([requested])
      .when(request({ requestId: 'request-2', action: 'temporary-access' }))
      .events();
    expect(events).toMatchObject([{ type: 'SupportActionRequested', data: { requestId: 'request-2' } }]);
  });

  it('once the waiting one is past its deadline, the same action may be asked again', () => {
    const again = request({ requestId: 'request-2', now: expiresAt, expiresAt: '2026-12-03T09:00:00.000Z' });
    expect(requests.given([requested]).when(again).events()).toHaveLength(1);
  });

  it('a request id is used once', () => {
    requests.given([requested, withdrawn]).when(request()).thenFails('invalid-command');
  });
});

describe('support request: approving', () => {
  it('another support agent approves before the deadline', () => {
    requests.given([requested]).when(approve()).then([approved]);
  });

  it('nobody approves their own request', () => {
    requests.given([requested]).when(approve(asker)).thenFails('own-support-request');
  });

  it('only support approves', () => {
    requests.given([requested]).when(approve(member)).thenFails('not-permitted');
  });

  it('a request past its deadline cannot be approved, even before its expiry is recorded', () => {
    requests.given([requested]).when(approve(approver, expiresAt)).thenFails('support-request-expired');
  });

  it('an expired request cannot be approved', () => {
    requests.given([requested, expired]).when(approve()).thenFails('support-request-expired');
  });

  it('a withdrawn request cannot be approved', () => {
    requests.given([requested, withdrawn]).when(approve()).thenFails('support-request-closed');
  });

  it('approving twice is refused', () => {
    requests.given([requested, approved]).when(approve()).thenFails('support-request-closed');
  });

  it('an unknown request cannot be approved', () => {
    requests.given([]).when(approve()).thenFails('support-request-not-found');
  });
});

describe('support request: withdrawing', () => {
  it('the agent who asked withdraws it', () => {
    requests.given([requested]).when(withdraw()).then([withdrawn]);
  });

  it('another agent cannot withdraw it (they may simply not approve)', () => {
    requests.given([requested]).when(withdraw(approver)).thenFails('not-permitted');
  });

  it('an approved request cannot be withdrawn', () => {
    requests.given([requested, approved]).when(withdraw()).thenFails('support-request-closed');
  });

  it('a request past its deadline cannot be withdrawn', () => {
    requests.given([requested]).when(withdraw(asker, expiresAt)).thenFails('support-request-expired');
  });
});

describe('support request: expiry', () => {
  const sweep = (now: string): SupportRequestCommand => ({ type: 'ExpireOverdueSupportActions', now });

  it('a pending request past its deadline is recorded as expired', () => {
    requests.given([requested]).when(sweep(expiresAt)).then([expired]);
  });

  it('nothing expires before its deadline', () => {
    requests.given([requested]).when(sweep(beforeDeadline)).then([]);
  });

  it('approved, withdrawn and expired requests do not expire (again)', () => {
    for (const closed of [approved, withdrawn, expired])
      requests.given([requested, closed]).when(sweep(expiresAt)).then([]);
  });

  it('closed requests are forgotten a day after their deadline, pending ones never', () => {
    const later = (id: string, at: string): SupportRequestEvent => ({
      type: 'SupportActionRequested',
      data: { ...requested.data, requestId: id, userId: id, requestedAt: at, expiresAt: at },
    });
    const state = fold(supportRequestDecider, [
      requested,
      approved,
      later('still-pending', requestedAt),
      later('request-3', '2026-12-03T09:00:00.001Z'),
    ]);
    expect(state.requests.map((kept) => kept.requestId).sort()).toEqual(['request-3', 'still-pending']);
  });
});
