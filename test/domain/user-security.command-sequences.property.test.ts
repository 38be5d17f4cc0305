import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxTrustedBrowsersPerUser } from '../../src/domain/shared/browser-trust.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { userSecurityEventSchemas } from '../../src/domain/user-security/events.ts';
import { type UserSecurityState, userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { sequenceArb } from './user-security-commands.ts';

const invariantsHold = (state: UserSecurityState) => {
  if (state.enrollment !== null) expect(state.enrollment.secret.ciphertext).not.toBe('');
  if (state.enrollment === null) expect(state.unusedRecoveryCodes).toEqual([]);
  expect(state.unusedRecoveryCodes.length).toBeLessThanOrEqual(10);
  expect(new Set(state.unusedRecoveryCodes).size).toBe(state.unusedRecoveryCodes.length);
  expect(state.consecutiveFailures).toBeGreaterThanOrEqual(0);
  // A temporary code stands in for a lost authenticator: never both at once.
  if (state.enrollment !== null) expect(state.temporaryAccess).toBeNull();
  if (state.frozenAt !== null) expect(state.temporaryAccess).toBeNull();
  // A trusted browser skips the code of an authenticator: none without one, none while frozen.
  if (state.enrollment === null || state.frozenAt !== null) expect(state.trustedBrowsers).toEqual([]);
  expect(state.trustedBrowsers.length).toBeLessThanOrEqual(maxTrustedBrowsersPerUser);
};

describe('user security under any command sequence', () => {
  it('never reaches a broken state, never disables while the office requires 2FA, and only writes valid events', () => {
    fc.assert(
      fc.property(sequenceArb(), (commands) => {
        let state = userSecurityDecider.initialState();
        for (const command of commands) {
          let events: ReturnType<typeof userSecurityDecider.decide> = [];
          try {
            events = userSecurityDecider.decide(command, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          if (state.frozenAt !== null) {
            expect(events.map((event) => event.type)).not.toContain('SecondFactorVerified');
          }
          if (command.type === 'UseTrustedBrowser' && events.length > 0) {
            const trust = state.trustedBrowsers.find((t) => t.tokenDigest === command.tokenDigest);
            expect(trust, 'a skip needs a trust of this token').toBeDefined();
            expect(command.now < (trust?.expiresAt ?? '')).toBe(true);
          }
          if (command.type === 'DisableTotp' && command.officeRequiresTwoFactor) {
            expect(events.map((event) => event.type)).not.toContain('TotpDisabled');
          }
          for (const event of events) {
            expect(userSecurityEventSchemas[event.type].safeParse(event.data).success, event.type).toBe(true);
          }
          const before = state.lastAcceptedStep;
          state = events.reduce(userSecurityDecider.evolve, state);
          const cleared = events.some(
            (event) =>
              event.type === 'TotpDisabled' ||
              event.type === 'SupportReset' ||
              event.type === 'TemporaryAccessIssued',
          );
          if (!cleared && before !== null && state.lastAcceptedStep !== null) {
            expect(state.lastAcceptedStep).toBeGreaterThanOrEqual(before);
          }
          invariantsHold(state);
        }
      }),
      { numRuns: 500 },
    );
  });
});
