import { describe, expect, it } from 'vitest';
import {
  complianceTotals,
  memberCompliance,
  type OfficeDemand,
  reenrollmentDue,
  reenrollmentOverdue,
} from '../../src/domain/office/compliance.ts';

const startedAt = '2026-11-20T09:00:00.000Z';
const deadline = '2026-12-01T00:00:00.000Z';
const campaign = { startedAt, deadline };
const optional: OfficeDemand = { required: false, enforceFrom: null, reenrollment: null };
const required: OfficeDemand = { required: true, enforceFrom: null, reenrollment: null };
const requiredFrom: OfficeDemand = { required: true, enforceFrom: deadline, reenrollment: null };
const withCampaign = (office: OfficeDemand): OfficeDemand => ({ ...office, reenrollment: campaign });
const enrolledEarlier = '2026-01-01T00:00:00.000Z';
const at = '2026-11-25T00:00:00.000Z';

describe('compliance of one member', () => {
  it('given an office that does not require 2FA, when the member has none, then not required', () => {
    expect(memberCompliance(optional, null, at)).toEqual({ status: 'not-required', deadline: null });
  });

  it('given any office, when the member is enrolled, then compliant', () => {
    for (const office of [optional, required, requiredFrom])
      expect(memberCompliance(office, enrolledEarlier, at)).toEqual({ status: 'compliant', deadline: null });
  });

  it('given a requirement at once, when the member has none, then overdue without a deadline', () => {
    expect(memberCompliance(required, null, at)).toEqual({ status: 'overdue', deadline: null });
  });

  it('given a requirement from a deadline, before it: due by it; at it and after: overdue', () => {
    expect(memberCompliance(requiredFrom, null, at)).toEqual({ status: 'due', deadline });
    expect(memberCompliance(requiredFrom, null, deadline)).toEqual({ status: 'overdue', deadline });
  });

  it('given a campaign, an enrolment from before it is due by its deadline, overdue from it on', () => {
    for (const office of [withCampaign(optional), withCampaign(required)]) {
      expect(memberCompliance(office, enrolledEarlier, at)).toEqual({ status: 'due', deadline });
      expect(memberCompliance(office, enrolledEarlier, deadline)).toEqual({ status: 'overdue', deadline });
    }
  });

  it('given a campaign, an enrolment one second before it started is old; one at its start is new', () => {
    const secondBefore = '2026-11-20T08:59:59.000Z';
    expect(memberCompliance(withCampaign(optional), secondBefore, at).status).toBe('due');
    expect(memberCompliance(withCampaign(optional), startedAt, at).status).toBe('compliant');
  });

  it('given a campaign, a member who never enrolled follows the office requirement alone', () => {
    expect(memberCompliance(withCampaign(optional), null, at).status).toBe('not-required');
    expect(memberCompliance(withCampaign(required), null, at).status).toBe('overdue');
  });

  it('timestamps with and without milliseconds compare as instants', () => {
    expect(memberCompliance(withCampaign(optional), '2026-11-20T09:00:00Z', at).status).toBe('compliant');
  });
});

describe('the re-enrolment rules the login applies', () => {
  it('an old enrolment is due; no enrolment, a new one or no campaign is not', () => {
    expect(reenrollmentDue(enrolledEarlier, campaign)).toBe(true);
    expect(reenrollmentDue(null, campaign)).toBe(false);
    expect(reenrollmentDue(startedAt, campaign)).toBe(false);
    expect(reenrollmentDue(enrolledEarlier, null)).toBe(false);
  });

  it('the deadline exactly at now is overdue; a millisecond before is not', () => {
    expect(reenrollmentOverdue(enrolledEarlier, campaign, deadline)).toBe(true);
    expect(reenrollmentOverdue(enrolledEarlier, campaign, '2026-11-30T23:59:59.999Z')).toBe(false);
  });
});

describe('totals', () => {
  it('count each status and all members', () => {
    expect(complianceTotals(['compliant', 'due', 'compliant', 'not-required'])).toEqual({
      members: 4,
      compliant: 2,
      due: 1,
      overdue: 0,
      'not-required': 1,
    });
  });
});
