import { describe, it } from 'vitest';
import type { OfficeEvent } from '../../src/domain/office/events.ts';
import { officeDecider } from '../../src/domain/office/index.ts';
import type { Actor } from '../../src/domain/shared/actor.ts';
import { spec } from './spec.ts';

const officeId = 'office-1';
const platform: Actor = { id: 'platform', role: 'platform' };
const admin: Actor = { id: 'admin-1', role: 'office-admin', officeId };
const otherOfficeAdmin: Actor = { id: 'admin-2', role: 'office-admin', officeId: 'office-2' };
const member: Actor = { id: 'member-1', role: 'member', officeId };
const support: Actor = { id: 'support-1', role: 'support' };
const enforceFrom = '2026-12-01T00:00:00.000Z';
const now = '2026-11-20T09:00:00.000Z';

const registered: OfficeEvent = { type: 'OfficeRegistered', data: { officeId, name: 'Head Office' } };
const required = (from: string | null): OfficeEvent => ({
  type: 'OfficeTwoFactorRequired',
  data: { officeId, enforceFrom: from },
});
const lifted: OfficeEvent = { type: 'OfficeTwoFactorRequirementLifted', data: { officeId } };

const office = spec(officeDecider);

describe('office: registration', () => {
  it('the platform registers a new office', () => {
    office
      .given([])
      .when({ type: 'RegisterOffice', officeId, name: 'Head Office', actor: platform })
      .then([registered]);
  });

  it('the system may register an office too', () => {
    office
      .given([])
      .when({ type: 'RegisterOffice', officeId, name: 'Head Office', actor: { id: 'svc', role: 'system' } })
      .then([registered]);
  });

  it('an office is registered only once', () => {
    office
      .given([registered])
      .when({ type: 'RegisterOffice', officeId, name: 'Again', actor: platform })
      .thenFails('office-already-registered');
  });

  it('only the platform registers offices', () => {
    for (const actor of [admin, member, support]) {
      office
        .given([])
        .when({ type: 'RegisterOffice', officeId, name: 'Head Office', actor })
        .thenFails('not-permitted');
    }
  });
});

describe('office: requiring two-factor authentication', () => {
  it('an office admin requires 2FA at once (no enforceFrom)', () => {
    office
      .given([registered])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor: admin })
      .then([required(null)]);
  });

  it('an office admin requires 2FA from a later date (enforceFrom)', () => {
    office
      .given([registered])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom, now, actor: admin })
      .then([required(enforceFrom)]);
  });

  it('requiring 2FA again with the same enforceFrom is a no-op', () => {
    office
      .given([registered, required(enforceFrom)])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom, now, actor: admin })
      .then([]);
    office
      .given([registered, required(null)])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor: admin })
      .then([]);
  });

  it('changing the enforceFrom date of an existing requirement records it', () => {
    office
      .given([registered, required(enforceFrom)])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor: admin })
      .then([required(null)]);
  });

  it('a new deadline in the past is refused; the deadline in force may be saved again after it passed', () => {
    const later = '2026-12-05T09:00:00.000Z';
    office
      .given([registered])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom, now: later, actor: admin })
      .thenFails('enforce-from-in-past');
    office
      .given([registered, required(null)])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: now, now, actor: admin })
      .thenFails('enforce-from-in-past');
    office
      .given([registered, required(enforceFrom)])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom, now: later, actor: admin })
      .then([]);
  });

  it('2FA cannot be required for an office that does not exist', () => {
    office
      .given([])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor: admin })
      .thenFails('office-not-found');
  });
});

describe('office: lifting the requirement', () => {
  it('an office admin lifts the 2FA requirement', () => {
    office
      .given([registered, required(null)])
      .when({ type: 'LiftTwoFactorRequirement', officeId, actor: admin })
      .then([lifted]);
  });

  it('lifting a requirement that is not in force is a no-op', () => {
    office.given([registered]).when({ type: 'LiftTwoFactorRequirement', officeId, actor: admin }).then([]);
    office
      .given([registered, required(null), lifted])
      .when({ type: 'LiftTwoFactorRequirement', officeId, actor: admin })
      .then([]);
  });

  it('after lifting, 2FA can be required again', () => {
    office
      .given([registered, required(enforceFrom), lifted])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom, now, actor: admin })
      .then([required(enforceFrom)]);
  });

  it('a requirement cannot be lifted for an office that does not exist', () => {
    office
      .given([])
      .when({ type: 'LiftTwoFactorRequirement', officeId, actor: admin })
      .thenFails('office-not-found');
  });
});

describe('office: who may toggle the requirement', () => {
  const nonAdmins: Actor[] = [
    member,
    support,
    { id: 'auditor-1', role: 'auditor', officeId },
    platform,
    { id: 'svc', role: 'system' },
  ];

  it('only an office admin may require 2FA', () => {
    for (const actor of nonAdmins) {
      office
        .given([registered])
        .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor })
        .thenFails('not-permitted');
    }
  });

  it('only an office admin may lift the requirement', () => {
    for (const actor of nonAdmins) {
      office
        .given([registered, required(null)])
        .when({ type: 'LiftTwoFactorRequirement', officeId, actor })
        .thenFails('not-permitted');
    }
  });

  it('an admin of another office may not require 2FA here', () => {
    office
      .given([registered])
      .when({ type: 'RequireTwoFactor', officeId, enforceFrom: null, now, actor: otherOfficeAdmin })
      .thenFails('not-permitted');
  });

  it('an admin of another office may not lift the requirement here', () => {
    office
      .given([registered, required(null)])
      .when({ type: 'LiftTwoFactorRequirement', officeId, actor: otherOfficeAdmin })
      .thenFails('not-permitted');
  });

  it('an office admin without an office may not toggle any office', () => {
    office
      .given([registered])
      .when({
        type: 'RequireTwoFactor',
        officeId,
        enforceFrom: null,
        now,
        actor: { id: 'admin-x', role: 'office-admin' },
      })
      .thenFails('not-permitted');
  });
});
