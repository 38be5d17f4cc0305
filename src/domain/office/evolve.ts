import type { OfficeEvent } from './events.ts';
import type { OfficeState } from './state.ts';

export const evolveOffice = (state: OfficeState, event: OfficeEvent): OfficeState => {
  switch (event.type) {
    case 'OfficeRegistered':
      return {
        status: 'registered',
        officeId: event.data.officeId,
        name: event.data.name,
        twoFactorRequired: false,
        enforceFrom: null,
        trustBrowserDays: 0,
        reenrollment: null,
      };
    case 'OfficeTwoFactorRequired':
      return state.status === 'registered'
        ? { ...state, twoFactorRequired: true, enforceFrom: event.data.enforceFrom }
        : state;
    case 'OfficeTwoFactorRequirementLifted':
      return state.status === 'registered'
        ? { ...state, twoFactorRequired: false, enforceFrom: null }
        : state;
    case 'OfficeBrowserTrustChanged':
      return state.status === 'registered'
        ? { ...state, trustBrowserDays: event.data.trustBrowserDays }
        : state;
    case 'OfficeReenrollmentRequired': {
      const { startedAt, deadline, reason } = event.data;
      return state.status === 'registered'
        ? { ...state, reenrollment: { startedAt, deadline, reason } }
        : state;
    }
    case 'OfficeReenrollmentEnded':
      return state.status === 'registered' ? { ...state, reenrollment: null } : state;
  }
};
