import { describe, it } from 'vitest';
import type { OfficeEvent } from '../../src/domain/office/events.ts';
import { officeDecider } from '../../src/domain/office/index.ts';
import type { Actor } from '../../src/domain/shared/actor.ts';
import { spec } from './spec.ts';

const officeId = 'office-1';
const admin: Actor = { id: 'admin-1', role: 'office-admin', officeId };
const otherOfficeAdmin: Actor = { id: 'admin-2', role: 'office-admin', officeId: 'office-2' };
const support: Actor = { id: 'support-1', role: 'support' };
const member: Actor = { id: 'member-1', role: 'member', officeId };
const auditor: Actor = { id: 'auditor-1', role: 'auditor' };
const now = '2026-11-20T09:00:00.000Z';
const deadline = '2026-12-01T00:00:00.000Z';

const registered: OfficeEvent = { type: 'OfficeRegistered', data: { officeId, name: 'Head Office' } };
const campaign: OfficeEvent = {
  type: 'OfficeReenrollmentRequired',
  data: { officeId, startedAt: now, deadline, reason: 'phishing wave' },
};
const ended = (endedAt: string): OfficeEvent => ({
  type: 'OfficeReenrollmentEnded',
  data: { officeId, endedAt },
});
const require = (actor: Actor, overrides: Partial<{ deadline: string; reason: string; now: string }> = {}) =>
  ({
    type: 'RequireReenrollment',
    officeId,
    deadline,
    reason: 'phishing wave',
    now,
    actor,
    ...overrides,
  }) as const;

const office = spec(officeDecider);

describe('office: re-enrolment campaign', () => {
  it('an admin of the office starts one: it starts now, with the deadline and reason given', () => {
    office.given([registered]).when(require(admin)).then([campaign]);
  });

  it('support starts one for any office', () => {
    office.given([registered]).when(require(support)).then([campaign]);
  });

  it('the reason is trimmed, and required', () => {
    office
      .given([registered])
      .when(require(admin, { reason: '  phishing wave ' }))
      .then([campaign]);
    office
      .given([registered])
      .when(require(admin, { reason: '   ' }))
      .thenFails('invalid-command');
  });

  it('a deadline exactly at now lies in the past', () => {
    office
      .given([registered])
      .when(require(admin, { deadline: now }))
      .thenFails('deadline-in-past');
  });

  it('a deadline one millisecond after now is accepted', () => {
    const soon = '2026-11-20T09:00:00.001Z';
    office
      .given([registered])
      .when(require(admin, { deadline: soon }))
      .then([{ ...campaign, data: { ...campaign.data, deadline: soon } } as OfficeEvent]);
  });

  it('a second campaign while one runs is refused, even after its deadline', () => {
    office.given([registered, campaign]).when(require(admin)).thenFails('reenrollment-in-progress');
    office
      .given([registered, campaign])
      .when(require(admin, { now: '2027-01-01T00:00:00.000Z', deadline: '2027-02-01T00:00:00.000Z' }))
      .thenFails('reenrollment-in-progress');
  });

  it('after a campaign ended a new one may start', () => {
    const later = '2026-11-25T00:00:00.000Z';
    office
      .given([registered, campaign, ended(later)])
      .when(require(admin, { now: later }))
      .then([{ ...campaign, data: { ...campaign.data, startedAt: later } } as OfficeEvent]);
  });

  it('members, auditors and admins of other offices cannot start one', () => {
    for (const actor of [member, auditor, otherOfficeAdmin])
      office.given([registered]).when(require(actor)).thenFails('not-permitted');
  });

  it('an unknown office has no campaign', () => {
    office.given([]).when(require(admin)).thenFails('office-not-found');
  });

  it('an admin or support ends a running campaign early', () => {
    for (const actor of [admin, support])
      office
        .given([registered, campaign])
        .when({ type: 'EndReenrollment', officeId, now: '2026-11-21T00:00:00.000Z', actor })
        .then([ended('2026-11-21T00:00:00.000Z')]);
  });

  it('ending when none runs is refused', () => {
    office
      .given([registered])
      .when({ type: 'EndReenrollment', officeId, now, actor: admin })
      .thenFails('no-reenrollment');
    office
      .given([registered, campaign, ended(now)])
      .when({ type: 'EndReenrollment', officeId, now, actor: admin })
      .thenFails('no-reenrollment');
  });

  it('members and admins of other offices cannot end one', () => {
    for (const actor of [member, auditor, otherOfficeAdmin])
      office
        .given([registered, campaign])
        .when({ type: 'EndReenrollment', officeId, now, actor })
        .thenFails('not-permitted');
  });

  it('a campaign leaves the 2FA requirement as it was', () => {
    office
      .given([registered, campaign])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor: admin })
      .then([{ type: 'OfficeTwoFactorRequired', data: { officeId, enforceFrom: null } }]);
  });
});
