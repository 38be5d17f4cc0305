import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/shared/actor.ts';
import type { EncryptedSecret } from '../../src/domain/shared/encrypted-secret.ts';
import type { UserSecurityEvent } from '../../src/domain/user-security/events.ts';
import { type UserSecurityCommand, userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { fold, spec } from './spec.ts';

const userId = 'user-1';
const self: Actor = { id: userId, role: 'member', officeId: 'office-1' };
const oldSecret: EncryptedSecret = { keyId: 'k1', iv: 'b2xk', ciphertext: 'b2xk', tag: 'dGFn' };
const newSecret: EncryptedSecret = { keyId: 'k1', iv: 'bmV3', ciphertext: 'bmV3', tag: 'dGFn' };
const codes = Array.from({ length: 10 }, (_, i) => `new-${i}`);

const enrolledAt = '2026-11-01T09:00:00.000Z';
const campaignStart = '2026-11-20T09:00:00.000Z';
const secondBeforeCampaign = '2026-11-20T08:59:59.000Z';
const now = '2026-11-25T10:00:00.000Z';
const inTenMinutes = '2026-11-25T10:10:00.000Z';

const enrolment = (at: string): UserSecurityEvent[] => [
  {
    type: 'TotpEnrollmentStarted',
    data: { userId, enrollmentId: 'old', secret: oldSecret, startedAt: at, expiresAt: at },
  },
  { type: 'TotpEnrolled', data: { userId, enrollmentId: 'old', enrolledAt: at, acceptedStep: 100 } },
  {
    type: 'RecoveryCodesIssued',
    data: { userId, enrollmentId: 'old', codeHashes: codes.map((c) => `old-${c}`) },
  },
];
const start = (reenrollmentSince: string | null): UserSecurityCommand => ({
  type: 'StartTotpEnrollment',
  userId,
  enrollmentId: 'new',
  secret: newSecret,
  reenrollmentSince,
  now,
  actor: self,
});
const startedAgain: UserSecurityEvent = {
  type: 'TotpEnrollmentStarted',
  data: { userId, enrollmentId: 'new', secret: newSecret, startedAt: now, expiresAt: inTenMinutes },
};
const confirm = (reenrollmentSince: string | null): UserSecurityCommand => ({
  type: 'ConfirmTotpEnrollment',
  userId,
  enrollmentId: 'new',
  check: { valid: true, timeStep: 200 },
  recoveryCodeHashes: codes,
  reenrollmentSince,
  now,
  actor: self,
});

const user = spec(userSecurityDecider);

describe('user security: enrolling again under a re-enrolment campaign', () => {
  it('given an enrolment from before the campaign, when the user starts a new one, then it starts', () => {
    user.given(enrolment(enrolledAt)).when(start(campaignStart)).then([startedAgain]);
  });

  it('an enrolment one second before the campaign started may be replaced', () => {
    user.given(enrolment(secondBeforeCampaign)).when(start(campaignStart)).then([startedAgain]);
  });

  it('an enrolment made at the moment the campaign started, or after, is new: already enrolled', () => {
    user.given(enrolment(campaignStart)).when(start(campaignStart)).thenFails('already-enrolled');
    user.given(enrolment(now)).when(start(campaignStart)).thenFails('already-enrolled');
  });

  it('without a campaign an enrolled user cannot enrol again', () => {
    user.given(enrolment(enrolledAt)).when(start(null)).thenFails('already-enrolled');
  });

  it('confirming replaces the enrolment, its secret and its recovery codes', () => {
    const given = [...enrolment(enrolledAt), startedAgain];
    const events = user.given(given).when(confirm(campaignStart)).events();
    expect(events).toEqual([
      { type: 'TotpEnrolled', data: { userId, enrollmentId: 'new', enrolledAt: now, acceptedStep: 200 } },
      { type: 'RecoveryCodesIssued', data: { userId, enrollmentId: 'new', codeHashes: codes } },
    ]);
    const state = fold(userSecurityDecider, [...given, ...events]);
    expect(state.enrollment).toMatchObject({ enrollmentId: 'new', secret: newSecret, enrolledAt: now });
    expect(state.unusedRecoveryCodes).toEqual(codes);
  });

  it('confirming without the campaign (ended meanwhile) is refused: the old enrolment stays', () => {
    user
      .given([...enrolment(enrolledAt), startedAgain])
      .when(confirm(null))
      .thenFails('already-enrolled');
  });
});
