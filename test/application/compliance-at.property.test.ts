import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import type { PersonalDataVault } from '../../src/application/ports/personal-data-vault.ts';
import { complianceAt } from '../../src/application/use-cases/compliance/compliance-at.ts';
import { complianceNow } from '../../src/application/use-cases/compliance/compliance-now.ts';
import type { AnyDomainEvent } from '../../src/domain/events.ts';
import { officeStream } from '../../src/domain/office/events.ts';
import { userAccountStream } from '../../src/domain/user-account/events.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { anEvent } from '../support/events.ts';

/**
 * The report at a past moment, read from the event history (the deciders' folds up to T), equals the
 * report the read models give when they have projected exactly the events up to T and the clock says T.
 */

const officeId = 'o1';
const t0 = Date.parse('2026-01-01T00:00:00.000Z');
const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };
const users = ['u0', 'u1', 'u2', 'u3', 'u4'] as const;
const hours = (n: number) => n * 3_600_000;

const someUser = fc.constantFrom(...users);
const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const action = fc.oneof(
  weighted(
    2,
    fc.record({
      kind: fc.constant('require' as const),
      enforceInHours: fc.option(fc.integer({ min: 1, max: 96 })),
    }),
  ),
  weighted(1, fc.record({ kind: fc.constant('lift' as const) })),
  weighted(
    3,
    fc.record({ kind: fc.constant('campaign' as const), deadlineInHours: fc.integer({ min: 1, max: 96 }) }),
  ),
  weighted(1, fc.record({ kind: fc.constant('end-campaign' as const) })),
  weighted(
    6,
    fc.record({
      kind: fc.constant('register' as const),
      user: someUser,
      role: fc.constantFrom('member' as const, 'office-admin' as const),
      elsewhere: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
    }),
  ),
  weighted(5, fc.record({ kind: fc.constant('enrol' as const), user: someUser })),
  weighted(1, fc.record({ kind: fc.constant('disable' as const), user: someUser })),
  weighted(5, fc.record({ kind: fc.constant('verify' as const), user: someUser })),
  weighted(1, fc.record({ kind: fc.constant('temporary-access' as const), user: someUser })),
  weighted(1, fc.record({ kind: fc.constant('role' as const), user: someUser })),
  weighted(1, fc.record({ kind: fc.constant('erase' as const), user: someUser })),
);
/** Seconds between steps: often 0 or 1, so equal and adjacent moments are met. */
const gap = fc.oneof(
  fc.constantFrom(0, 1),
  fc.integer({ min: 2, max: 7200 }),
  fc.integer({ min: 7200, max: 200_000 }),
);
const historyArb = fc.array(fc.record({ gap, action }), { minLength: 5, maxLength: 60, size: 'medium' });

type Step = { streamId: string; event: AnyDomainEvent; at: number };
type History = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

/** Turns random actions into a valid history, skipping those the current state does not allow. */
const historyOf = (steps: History) => {
  const out: Step[] = [
    {
      streamId: officeStream(officeId),
      at: t0,
      event: { type: 'OfficeRegistered', data: { officeId, name: 'Gent' } },
    },
  ];
  const registered = new Map<
    string,
    { role: 'member' | 'office-admin'; enrolled: boolean; erased: boolean }
  >();
  let campaign = false;
  let required = false;
  let now = t0;
  let n = 0;
  const push = (streamId: string, event: AnyDomainEvent) => out.push({ streamId, event, at: now });
  for (const { gap: seconds, action: raw } of steps) {
    now += seconds * 1000;
    const a = raw as {
      kind: string;
      user?: string;
      role?: 'member' | 'office-admin';
      elsewhere?: boolean;
      enforceInHours?: number | null;
      deadlineInHours?: number;
    };
    const user = a.user === undefined ? undefined : registered.get(a.user);
    const live = user !== undefined && !user.erased;
    const userId = a.user ?? '';
    const iso = (ms: number) => new Date(ms).toISOString();
    switch (a.kind) {
      case 'require':
        required = true;
        push(officeStream(officeId), {
          type: 'OfficeTwoFactorRequired',
          data: {
            officeId,
            enforceFrom: a.enforceInHours == null ? null : iso(now + hours(a.enforceInHours)),
          },
        });
        break;
      case 'lift':
        if (required)
          push(officeStream(officeId), { type: 'OfficeTwoFactorRequirementLifted', data: { officeId } });
        required = false;
        break;
      case 'campaign':
        if (campaign) break;
        campaign = true;
        push(officeStream(officeId), {
          type: 'OfficeReenrollmentRequired',
          data: {
            officeId,
            startedAt: iso(now),
            deadline: iso(now + hours(a.deadlineInHours ?? 1)),
            reason: 'drill',
          },
        });
        break;
      case 'end-campaign':
        if (!campaign) break;
        campaign = false;
        push(officeStream(officeId), {
          type: 'OfficeReenrollmentEnded',
          data: { officeId, endedAt: iso(now) },
        });
        break;
      case 'register':
        if (user !== undefined) break;
        registered.set(userId, { role: a.role ?? 'member', enrolled: false, erased: false });
        push(userAccountStream(userId), {
          type: 'UserRegistered',
          data: {
            userId,
            officeId: a.elsewhere ? 'o2' : officeId,
            username: `name-${userId}`,
            role: a.role ?? 'member',
            passwordHash: 'hash',
          },
        });
        break;
      case 'enrol': {
        if (!live) break;
        const enrollmentId = `e${++n}`;
        push(userSecurityStream(userId), {
          type: 'TotpEnrollmentStarted',
          data: { userId, enrollmentId, secret, startedAt: iso(now), expiresAt: iso(now + 600_000) },
        });
        push(userSecurityStream(userId), {
          type: 'TotpEnrolled',
          data: { userId, enrollmentId, enrolledAt: iso(now), acceptedStep: n },
        });
        user.enrolled = true;
        break;
      }
      case 'disable':
        if (!live || !user.enrolled) break;
        push(userSecurityStream(userId), {
          type: 'TotpDisabled',
          data: { userId, enrollmentId: 'e', proof: 'password' },
        });
        user.enrolled = false;
        break;
      case 'verify':
        if (live && user.enrolled)
          push(userSecurityStream(userId), {
            type: 'SecondFactorVerified',
            data: { userId, method: 'totp', timeStep: ++n },
          });
        break;
      case 'temporary-access':
        if (!live) break;
        push(userSecurityStream(userId), {
          type: 'TemporaryAccessIssued',
          data: {
            userId,
            temporaryCodeHash: 'h',
            issuedAt: iso(now),
            expiresAt: iso(now + hours(24)),
            reason: 'lost',
            ticket: 'T-1',
          },
        });
        user.enrolled = false;
        break;
      case 'role': {
        if (!live) break;
        const role = user.role === 'member' ? 'office-admin' : 'member';
        push(userAccountStream(userId), {
          type: 'UserRoleChanged',
          data: { userId, role, previousRole: user.role },
        });
        user.role = role;
        break;
      }
      case 'erase':
        if (!live) break;
        push(userAccountStream(userId), {
          type: 'UserErased',
          data: { userId, reason: 'asked', ticket: 'T-2' },
        });
        user.erased = true;
        break;
    }
  }
  return out;
};

const noVault = {} as PersonalDataVault;

describe('compliance report at a past moment', () => {
  it('equals the read models projected up to that moment, for random histories and moments', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, fc.nat(), fc.constantFrom(-1000, 0, 1000), async (steps, pick, shift) => {
        const history = historyOf(steps);
        const events = new MemoryEventStore();
        for (const step of history) {
          const event = anEvent(step.event.data as Record<string, unknown>, step.event.type);
          await events.append(
            step.streamId,
            [{ ...event, metadata: { ...event.metadata, occurredAt: new Date(step.at).toISOString() } }],
            'any',
          );
        }
        const at = new Date((history[pick % history.length]?.at ?? t0) + shift).toISOString();
        const recorded = (await events.readAll(0, 10_000)).filter((event) => event.metadata.occurredAt <= at);
        const readModels = new MemoryReadModels();
        const build = await readModels.startBuild('store', recorded.at(-1)?.position ?? 0);
        if (recorded.length > 0) expect(await build.applyBatch(recorded, 0)).toBe('applied');
        await build.promote();

        const past = complianceAt({ events, vault: noVault });
        const now = complianceNow({ readModels, clock: { now: () => new Date(at) } });
        const page = { after: null, limit: null };
        if (Date.parse(at) < t0) {
          await expect(past(officeId, at, page)).rejects.toMatchObject({ code: 'not-found' });
          await expect(now(officeId, page)).rejects.toMatchObject({ code: 'not-found' });
          return;
        }
        expect(await past(officeId, at, page)).toEqual(await now(officeId, page));
      }),
      { numRuns: 300 },
    );
  });
});
