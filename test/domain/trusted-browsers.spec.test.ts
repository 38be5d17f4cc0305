import { describe, expect, it } from 'vitest';
import type { OfficeEvent } from '../../src/domain/office/events.ts';
import { officeDecider } from '../../src/domain/office/index.ts';
import type { Actor } from '../../src/domain/shared/actor.ts';
import { dayMs, maxTrustedBrowsersPerUser } from '../../src/domain/shared/browser-trust.ts';
import type { EncryptedSecret } from '../../src/domain/shared/encrypted-secret.ts';
import type { TrustEndingReason } from '../../src/domain/user-security/commands.ts';
import type { UserSecurityEvent } from '../../src/domain/user-security/events.ts';
import { type BrowserToTrust, userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { fold, spec } from './spec.ts';

const userId = 'user-1';
const officeId = 'office-1';
const self: Actor = { id: userId, role: 'member', officeId };
const otherUser: Actor = { id: 'user-2', role: 'member', officeId };
const admin: Actor = { id: 'admin-1', role: 'office-admin', officeId };
const otherOfficeAdmin: Actor = { id: 'admin-2', role: 'office-admin', officeId: 'office-2' };
const support: Actor = { id: 'support-1', role: 'support' };
const secret: EncryptedSecret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };

const t0 = '2026-11-26T10:00:00.000Z';
const at = (ms: number): string => new Date(Date.parse(t0) + ms).toISOString();
const digest = (n: number) => n.toString(16).padStart(64, '0');
const step = 59_000_000;

const user = spec(userSecurityDecider);
const office = spec(officeDecider);

const enrolment: UserSecurityEvent[] = [
  {
    type: 'TotpEnrollmentStarted',
    data: { userId, enrollmentId: 'e1', secret, startedAt: t0, expiresAt: at(600_000) },
  },
  { type: 'TotpEnrolled', data: { userId, enrollmentId: 'e1', enrolledAt: t0, acceptedStep: step } },
];
const browser = (n: number, trustBrowserDays = 30): BrowserToTrust => ({
  browserId: `browser-${n}`,
  tokenDigest: digest(n),
  description: 'Firefox on Linux',
  trustBrowserDays,
});
const trusted = (n: number, trustedAt: string, days = 30): UserSecurityEvent => ({
  type: 'BrowserTrusted',
  data: {
    userId,
    browserId: `browser-${n}`,
    tokenDigest: digest(n),
    description: 'Firefox on Linux',
    trustedAt,
    expiresAt: new Date(Date.parse(trustedAt) + days * dayMs).toISOString(),
  },
});
const revoked = (n: number, why: string): UserSecurityEvent =>
  ({ type: 'TrustedBrowserRevoked', data: { userId, browserId: `browser-${n}`, why } }) as UserSecurityEvent;
const used = (n: number, usedAt: string): UserSecurityEvent => ({
  type: 'TrustedBrowserUsed',
  data: { userId, browserId: `browser-${n}`, usedAt },
});
const useToken = (n: number, now: string, trustBrowserDays = 30) => ({
  type: 'UseTrustedBrowser' as const,
  userId,
  tokenDigest: digest(n),
  trustBrowserDays,
  now,
  actor: self,
});

describe('trusting a browser after the second factor', () => {
  const now = at(3_600_000);
  const verifyWith = (trustBrowser: BrowserToTrust, check = { valid: true, timeStep: step + 10 }) => ({
    type: 'VerifySecondFactor' as const,
    userId,
    check: { method: 'totp' as const, ...check },
    trustBrowser,
    now,
    actor: self,
  });

  it('given an enrolled user, when a right code comes with "trust this browser", then it is trusted for the office’s days', () => {
    user
      .given(enrolment)
      .when(verifyWith(browser(1, 7)))
      .then([
        { type: 'SecondFactorVerified', data: { userId, method: 'totp', timeStep: step + 10 } },
        trusted(1, now, 7),
      ]);
  });

  it('given a recovery code, when it is right, then the browser may be trusted too', () => {
    const events = user
      .given([
        ...enrolment,
        {
          type: 'RecoveryCodesIssued',
          data: { userId, enrollmentId: 'e1', codeHashes: Array(10).fill('rc') },
        },
      ])
      .when({
        type: 'VerifySecondFactor',
        userId,
        check: { method: 'recovery-code', codeHash: 'rc' },
        trustBrowser: browser(1),
        now,
        actor: self,
      })
      .events();
    expect(events.map((event) => event.type)).toEqual([
      'RecoveryCodeUsed',
      'SecondFactorVerified',
      'BrowserTrusted',
    ]);
  });

  it('given a wrong code, when it asks for trust, then nothing is trusted', () => {
    const events = user
      .given(enrolment)
      .when(verifyWith(browser(1), { valid: false, timeStep: null } as never))
      .events();
    expect(events.map((event) => event.type)).toEqual(['SecondFactorRejected']);
  });

  it('given trust is off in the office (0 days), when a right code asks for trust, then only the code is verified', () => {
    const events = user
      .given(enrolment)
      .when(verifyWith(browser(1, 0)))
      .events();
    expect(events.map((event) => event.type)).toEqual(['SecondFactorVerified']);
  });

  it('given support’s temporary access, when it is used, then no browser is trusted', () => {
    const events = user
      .given([
        {
          type: 'TemporaryAccessIssued',
          data: {
            userId,
            temporaryCodeHash: 'tmp',
            issuedAt: t0,
            expiresAt: at(3_600_000 * 24),
            reason: 'lost phone',
            ticket: 'T-1',
          },
        },
      ])
      .when({
        type: 'VerifySecondFactor',
        userId,
        check: { method: 'temporary-access', codeHash: 'tmp' },
        trustBrowser: browser(1),
        now,
        actor: self,
      })
      .events();
    expect(events.map((event) => event.type)).toEqual(['TemporaryAccessUsed', 'SecondFactorVerified']);
  });

  it(`given ${maxTrustedBrowsersPerUser} open trusts, when one more is trusted, then the oldest makes room`, () => {
    const many = Array.from({ length: maxTrustedBrowsersPerUser }, (_, i) => trusted(i + 1, at(i * 1000)));
    user
      .given([...enrolment, ...many])
      .when(verifyWith(browser(99)))
      .then([
        { type: 'SecondFactorVerified', data: { userId, method: 'totp', timeStep: step + 10 } },
        revoked(1, 'replaced'),
        trusted(99, now),
      ]);
  });
});

describe('logging in from a trusted browser', () => {
  const trustedAt = at(0);
  const expiresAt = at(30 * dayMs);
  const history = [...enrolment, trusted(1, trustedAt)];

  it('given a trust, when its token comes one second before it expires, then the login skips the code', () => {
    const now = at(30 * dayMs - 1000);
    user
      .given(history)
      .when(useToken(1, now))
      .then([used(1, now)]);
  });

  it('given a trust, when its token comes one second after it expired, then nothing: the code is asked', () => {
    user
      .given(history)
      .when(useToken(1, at(30 * dayMs + 1000)))
      .then([]);
  });

  it('given a trust, when its token comes at the very moment it expires, then the code is asked', () => {
    user.given(history).when(useToken(1, expiresAt)).then([]);
  });

  it('given a trust, when another token comes, then nothing', () => {
    user
      .given(history)
      .when(useToken(2, at(1000)))
      .then([]);
  });

  it('given a token trusted only by another user, when it comes for this user, then nothing: a token is bound to its user', () => {
    // user-2's trusts live in user-2's stream; this user's stream holds only browser-1.
    user
      .given(history)
      .when(useToken(2, at(1000)))
      .then([]);
  });

  it('given the office turned trust off, when the token comes, then nothing', () => {
    user
      .given(history)
      .when(useToken(1, at(1000), 0))
      .then([]);
  });

  it('given the office lowered the limit to 7 days, when a 10-day-old trust comes, then nothing', () => {
    user
      .given(history)
      .when(useToken(1, at(10 * dayMs), 7))
      .then([]);
  });

  it('given the office lowered the limit to 7 days, when a 6-day-old trust comes, then it still skips', () => {
    const now = at(6 * dayMs);
    user
      .given(history)
      .when(useToken(1, now, 7))
      .then([used(1, now)]);
  });

  it('given 2FA was disabled since, when the token comes, then nothing', () => {
    const now = at(1000);
    const disabled: UserSecurityEvent = {
      type: 'TotpDisabled',
      data: { userId, enrollmentId: 'e1', proof: 'password' },
    };
    const afterDisable = fold(userSecurityDecider, [...history, revoked(1, 'disabled'), disabled]);
    expect(afterDisable.trustedBrowsers).toEqual([]);
    expect(userSecurityDecider.decide(useToken(1, now), afterDisable)).toEqual([]);
  });

  it('given a trust, when someone else’s session sends the token, then it is refused', () => {
    user
      .given(history)
      .when({ ...useToken(1, at(1000)), actor: otherUser })
      .thenFails('not-permitted');
  });

  it('given wrong codes locked the code step, when the owner’s trusted browser comes, then it still skips: a device token is no guess', () => {
    const now = at(1000);
    const lockedOut: UserSecurityEvent = {
      type: 'SecondFactorLockedOut',
      data: { userId, lockedUntil: at(60_000), lockoutCount: 1 },
    };
    user
      .given([...history, lockedOut])
      .when(useToken(1, now))
      .then([used(1, now)]);
  });

  it('given a frozen account, when the token comes, then it is refused', () => {
    user
      .given([...history, { type: 'AccountFrozen', data: { userId, frozenAt: at(500) } }])
      .when(useToken(1, at(1000)))
      .thenFails('account-frozen');
  });

  it('given the trust was used, then the state remembers when', () => {
    const state = fold(userSecurityDecider, [...history, used(1, at(5000))]);
    expect(state.trustedBrowsers[0]?.lastUsedAt).toBe(at(5000));
  });

  it('given an expired trust, when a new browser is trusted, then the expired one is dropped from the state', () => {
    const state = fold(userSecurityDecider, [...history, trusted(2, at(31 * dayMs))]);
    expect(state.trustedBrowsers.map((trust) => trust.browserId)).toEqual(['browser-2']);
  });
});

describe('ending trusted browsers', () => {
  const history = [...enrolment, trusted(1, at(0)), trusted(2, at(20 * dayMs))];
  const now = at(25 * dayMs);

  it('given two trusts, when the user revokes one, then that one is revoked', () => {
    user
      .given(history)
      .when({ type: 'RevokeTrustedBrowser', userId, browserId: 'browser-2', now, actor: self })
      .then([revoked(2, 'by-user')]);
  });

  it('given no such trust, when the user revokes it, then trusted-browser-not-found', () => {
    user
      .given(history)
      .when({ type: 'RevokeTrustedBrowser', userId, browserId: 'browser-9', now, actor: self })
      .thenFails('trusted-browser-not-found');
  });

  it('given an expired trust, when the user revokes it, then trusted-browser-not-found', () => {
    user
      .given(history)
      .when({
        type: 'RevokeTrustedBrowser',
        userId,
        browserId: 'browser-1',
        now: at(31 * dayMs),
        actor: self,
      })
      .thenFails('trusted-browser-not-found');
  });

  it('given a trust, when another user revokes it, then not-permitted', () => {
    user
      .given(history)
      .when({ type: 'RevokeTrustedBrowser', userId, browserId: 'browser-1', now, actor: otherUser })
      .thenFails('not-permitted');
  });

  it('given two trusts, when support resets 2FA, then both end before the reset', () => {
    user
      .given(history)
      .when({ type: 'ResetTwoFactorBySupport', userId, reason: 'lost phone', ticket: 'T-1', actor: support })
      .then([
        revoked(1, 'reset'),
        revoked(2, 'reset'),
        { type: 'SupportReset', data: { userId, reason: 'lost phone', ticket: 'T-1' } },
      ]);
  });

  it('given two trusts, when the user disables 2FA, then both end', () => {
    user
      .given(history)
      .when({
        type: 'DisableTotp',
        userId,
        proof: { kind: 'password', valid: true },
        officeRequiresTwoFactor: false,
        now,
        actor: self,
      })
      .then([
        revoked(1, 'disabled'),
        revoked(2, 'disabled'),
        { type: 'TotpDisabled', data: { userId, enrollmentId: 'e1', proof: 'password' } },
      ]);
  });

  it('given two trusts, when the account is frozen, then both end', () => {
    user
      .given(history)
      .when({ type: 'FreezeAccount', userId, now, actor: self })
      .then([
        revoked(1, 'frozen'),
        revoked(2, 'frozen'),
        { type: 'AccountFrozen', data: { userId, frozenAt: now } },
      ]);
  });

  it('given two trusts, when support issues temporary access, then both end', () => {
    const events = user
      .given(history)
      .when({
        type: 'IssueTemporaryAccess',
        userId,
        codeHash: 'tmp',
        expiresAt: at(26 * dayMs),
        reason: 'lost phone',
        ticket: 'T-2',
        now,
        actor: support,
      })
      .events();
    expect(events.slice(0, 2)).toEqual([revoked(1, 'temporary-access'), revoked(2, 'temporary-access')]);
  });

  const endTrusts = (why: TrustEndingReason, actor: Actor, trustedAtOrBefore: string | null = null) => ({
    type: 'EndTrustedBrowsers' as const,
    userId,
    officeId,
    why,
    trustedAtOrBefore,
    now,
    actor,
  });

  it('given two trusts, when support erases the user, then both end', () => {
    user
      .given(history)
      .when(endTrusts('erased', support))
      .then([revoked(1, 'erased'), revoked(2, 'erased')]);
  });

  it('given trusts, when a re-enrolment campaign’s deadline passes, then the system ends them all', () => {
    user
      .given(history)
      .when(endTrusts('reenrolment-deadline', { id: 'system', role: 'system' }))
      .then([revoked(1, 'reenrolment-deadline'), revoked(2, 'reenrolment-deadline')]);
  });

  it('given trusts, when the user sets a new password, then the user ends them all', () => {
    user
      .given(history)
      .when(endTrusts('password-changed', self))
      .then([revoked(1, 'password-changed'), revoked(2, 'password-changed')]);
  });

  it('given trusts, when another member claims a new password of the user, then not-permitted', () => {
    user.given(history).when(endTrusts('password-changed', otherUser)).thenFails('not-permitted');
  });

  it('given a policy lowered from 30 to 7 days, when the office admin ends older trusts, then only those older than 7 days end', () => {
    user
      .given(history)
      .when(endTrusts('policy-lowered', admin, at(25 * dayMs - 7 * dayMs)))
      .then([revoked(1, 'policy-lowered')]);
  });

  it('given trusts, when another office’s admin or a member ends them, then not-permitted', () => {
    for (const actor of [otherOfficeAdmin, self]) {
      user.given(history).when(endTrusts('policy-lowered', actor)).thenFails('not-permitted');
    }
  });

  it('given a revoked trust, when its token comes, then nothing', () => {
    user
      .given([...history, revoked(2, 'by-user')])
      .when(useToken(2, now))
      .then([]);
  });
});

describe('office: trustBrowserDays', () => {
  const registered: OfficeEvent = { type: 'OfficeRegistered', data: { officeId, name: 'Head Office' } };
  const changed = (trustBrowserDays: number): OfficeEvent => ({
    type: 'OfficeBrowserTrustChanged',
    data: { officeId, trustBrowserDays },
  });
  const lift = (trustBrowserDays?: number) => ({
    type: 'LiftTwoFactorRequirement' as const,
    officeId,
    ...(trustBrowserDays === undefined ? {} : { trustBrowserDays }),
    actor: admin,
  });

  it('given an office (trust off), when its admin sets 30 days, then trust is on for 30 days', () => {
    office
      .given([registered])
      .when(lift(30))
      .then([changed(30)]);
  });

  it('given 30 days, when the admin lowers it to 7, then the change is recorded', () => {
    office
      .given([registered, changed(30)])
      .when(lift(7))
      .then([changed(7)]);
  });

  it('given 7 days, when the same value is saved, then nothing happens', () => {
    office
      .given([registered, changed(7)])
      .when(lift(7))
      .then([]);
  });

  it('given trust on, when the requirement is saved without trustBrowserDays, then the days stay', () => {
    office
      .given([registered, changed(7)])
      .when(lift())
      .then([]);
    const state = fold(officeDecider, [registered, changed(7)]);
    expect(state).toMatchObject({ trustBrowserDays: 7 });
  });

  it('given an office, when 2FA is required with trust in one save, then both are recorded', () => {
    office
      .given([registered])
      .when({
        type: 'RequireTwoFactor',
        officeId,
        enforceFrom: null,
        now: t0,
        trustBrowserDays: 14,
        actor: admin,
      })
      .then([{ type: 'OfficeTwoFactorRequired', data: { officeId, enforceFrom: null } }, changed(14)]);
  });

  it('given an office, when 31 days or a negative number is asked, then invalid-command', () => {
    office.given([registered]).when(lift(31)).thenFails('invalid-command');
    office.given([registered]).when(lift(-1)).thenFails('invalid-command');
  });

  it('given an office, when another office’s admin sets the days, then not-permitted', () => {
    office
      .given([registered])
      .when({ ...lift(7), actor: otherOfficeAdmin })
      .thenFails('not-permitted');
  });
});
