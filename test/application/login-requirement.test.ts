import { describe, expect, it } from 'vitest';
import {
  overdueForReenrollment,
  reenrollmentDeadline,
  secondFactorRequirement,
} from '../../src/application/login-requirement.ts';

const campaign = { startedAt: '2026-11-20T09:00:00.000Z', deadline: '2026-12-01T00:00:00.000Z', reason: 'x' };
const office = { required: false, enforceFrom: null, reenrollment: campaign };
const oldEnrolment = { twoFactor: 'enrolled' as const, enrolledAt: '2026-11-20T08:59:59.000Z' };
const newEnrolment = { twoFactor: 'enrolled' as const, enrolledAt: '2026-11-20T09:00:00.000Z' };
const none = { twoFactor: 'none' as const, enrolledAt: null };

describe('login requirement under a re-enrolment campaign', () => {
  it('given an old enrolment, before the deadline a code is asked and the deadline is told', () => {
    const justBefore = new Date('2026-11-30T23:59:59.999Z');
    expect(secondFactorRequirement(oldEnrolment, office, justBefore)).toBe('required');
    expect(overdueForReenrollment(oldEnrolment, office, justBefore)).toBe(false);
    expect(reenrollmentDeadline(oldEnrolment, office)).toBe(campaign.deadline);
  });

  it('given an old enrolment, with the deadline exactly at now, the old code is asked and then enrolment', () => {
    const atDeadline = new Date(campaign.deadline);
    expect(secondFactorRequirement(oldEnrolment, office, atDeadline)).toBe('reenrollment-required');
    expect(overdueForReenrollment(oldEnrolment, office, atDeadline)).toBe(true);
    expect(secondFactorRequirement(oldEnrolment, office, new Date('2027-06-01'))).toBe(
      'reenrollment-required',
    );
  });

  it('given an old enrolment in a requiring office, the deadline never lets the password alone enrol', () => {
    const requiring = { ...office, required: true };
    expect(secondFactorRequirement(oldEnrolment, requiring, new Date(campaign.deadline))).toBe(
      'reenrollment-required',
    );
  });

  it('given a new enrolment, a code is asked as always and nothing is due', () => {
    expect(secondFactorRequirement(newEnrolment, office, new Date(campaign.deadline))).toBe('required');
    expect(overdueForReenrollment(newEnrolment, office, new Date(campaign.deadline))).toBe(false);
    expect(reenrollmentDeadline(newEnrolment, office)).toBeNull();
  });

  it('given no enrolment, the campaign changes nothing: the office requirement decides', () => {
    expect(secondFactorRequirement(none, office, new Date(campaign.deadline))).toBe('none');
    expect(secondFactorRequirement(none, { ...office, required: true }, new Date(campaign.deadline))).toBe(
      'enrollment-required',
    );
    expect(reenrollmentDeadline(none, office)).toBeNull();
    expect(overdueForReenrollment(none, office, new Date(campaign.deadline))).toBe(false);
  });

  it('given an ended campaign (or read models from before campaigns), an old enrolment just asks a code', () => {
    expect(
      secondFactorRequirement(oldEnrolment, { ...office, reenrollment: null }, new Date('2027-01-01')),
    ).toBe('required');
    expect(
      secondFactorRequirement(oldEnrolment, { required: false, enforceFrom: null }, new Date('2027-01-01')),
    ).toBe('required');
  });
});
