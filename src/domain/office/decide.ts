import { type Actor, isOfficeAdminOf } from '../shared/actor.ts';
import { maxTrustBrowserDays } from '../shared/browser-trust.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { OfficeCommand } from './commands.ts';
import type { OfficeEvent } from './events.ts';
import type { OfficeState } from './state.ts';

type RegisteredOffice = Extract<OfficeState, { status: 'registered' }>;

export const decideOffice = (command: OfficeCommand, state: OfficeState): OfficeEvent[] => {
  if (command.type === 'RegisterOffice') {
    if (command.actor.role !== 'platform' && command.actor.role !== 'system') {
      throw new DomainError('not-permitted', 'Only the platform registers offices.');
    }
    if (state.status === 'registered')
      throw new DomainError('office-already-registered', 'The office exists already.');
    return [{ type: 'OfficeRegistered', data: { officeId: command.officeId, name: command.name } }];
  }
  if (command.type === 'RequireReenrollment' || command.type === 'EndReenrollment')
    return decideReenrollment(command, state);
  if (!isOfficeAdminOf(command.actor, command.officeId)) {
    throw new DomainError('not-permitted', 'Only an admin of this office changes its 2FA requirement.');
  }
  if (state.status !== 'registered') throw new DomainError('office-not-found', 'No such office.');
  const trust = browserTrustChange(command.officeId, command.trustBrowserDays, state.trustBrowserDays);
  return [...requirementChange(command, state), ...trust];
};

/** Only a different, valid number of days is an event. */
const browserTrustChange = (
  officeId: string,
  trustBrowserDays: number | undefined,
  current: number,
): OfficeEvent[] => {
  if (trustBrowserDays === undefined || trustBrowserDays === current) return [];
  if (!Number.isInteger(trustBrowserDays) || trustBrowserDays < 0 || trustBrowserDays > maxTrustBrowserDays)
    throw new DomainError('invalid-command', `trustBrowserDays lies between 0 and ${maxTrustBrowserDays}.`);
  return [{ type: 'OfficeBrowserTrustChanged', data: { officeId, trustBrowserDays } }];
};

const requirementChange = (
  command: Extract<OfficeCommand, { type: 'RequireTwoFactor' | 'LiftTwoFactorRequirement' }>,
  state: Extract<OfficeState, { status: 'registered' }>,
): OfficeEvent[] => {
  if (command.type === 'RequireTwoFactor') {
    if (state.twoFactorRequired && state.enforceFrom === command.enforceFrom) return [];
    // Saving the deadline in force again is the no-op above; a new one in the past would mean "now"
    // while the admin meant a date: refuse it rather than guess.
    if (command.enforceFrom !== null && command.enforceFrom <= command.now)
      throw new DomainError('enforce-from-in-past', 'The deadline lies in the past; pick a later moment.');
    return [
      {
        type: 'OfficeTwoFactorRequired',
        data: { officeId: command.officeId, enforceFrom: command.enforceFrom },
      },
    ];
  }
  if (!state.twoFactorRequired) return [];
  return [{ type: 'OfficeTwoFactorRequirementLifted', data: { officeId: command.officeId } }];
};

/** A campaign is run by an admin of the office or by support (for any office). */
const mayRunCampaign = (actor: Actor, officeId: string): boolean =>
  isOfficeAdminOf(actor, officeId) || actor.role === 'support';

const decideReenrollment = (
  command: Extract<OfficeCommand, { type: 'RequireReenrollment' | 'EndReenrollment' }>,
  state: OfficeState,
): OfficeEvent[] => {
  if (!mayRunCampaign(command.actor, command.officeId))
    throw new DomainError('not-permitted', 'Only an admin of this office or support runs a re-enrolment.');
  if (state.status !== 'registered') throw new DomainError('office-not-found', 'No such office.');
  const { officeId, now } = command;
  if (command.type === 'EndReenrollment') {
    if (state.reenrollment === null)
      throw new DomainError('no-reenrollment', 'No re-enrolment campaign is running.');
    return [{ type: 'OfficeReenrollmentEnded', data: { officeId, endedAt: now } }];
  }
  return [requireReenrollment(command, state, now)];
};

const requireReenrollment = (
  command: Extract<OfficeCommand, { type: 'RequireReenrollment' }>,
  state: RegisteredOffice,
  now: string,
): OfficeEvent => {
  if (state.reenrollment !== null)
    throw new DomainError('reenrollment-in-progress', 'A re-enrolment campaign is running; end it first.', {
      deadline: state.reenrollment.deadline,
    });
  const reason = command.reason.trim();
  if (reason === '') throw new DomainError('invalid-command', 'A re-enrolment needs a reason.');
  if (command.deadline <= now)
    throw new DomainError('deadline-in-past', 'The deadline lies in the past; pick a later moment.');
  return {
    type: 'OfficeReenrollmentRequired',
    data: { officeId: command.officeId, startedAt: now, deadline: command.deadline, reason },
  };
};
