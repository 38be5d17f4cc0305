import type { EventStore } from '../../src/application/ports/event-store.ts';
import type { AnyDomainEvent } from '../../src/domain/events.ts';
import { officeStream } from '../../src/domain/office/events.ts';
import { userAccountStream } from '../../src/domain/user-account/events.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { anEvent } from './events.ts';

const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };

const append = (store: EventStore, stream: string, events: AnyDomainEvent[]) =>
  store.append(
    stream,
    events.map((event) => anEvent(event.data as Record<string, unknown>, event.type)),
    'any',
  );

/**
 * Fills a store with `offices` offices of `usersPerOffice` users each; every other user enrols and
 * every office requires 2FA: a realistic mix of every kind of event the read models project.
 */
export const appendStory = async (
  store: EventStore,
  offices: number,
  usersPerOffice: number,
): Promise<void> => {
  for (let o = 0; o < offices; o += 1) {
    const officeId = `office-${o}`;
    await append(store, officeStream(officeId), [
      { type: 'OfficeRegistered', data: { officeId, name: `Office ${o}` } },
    ]);
    for (let u = 0; u < usersPerOffice; u += 1) {
      const userId = `user-${o}-${u}`;
      await append(store, userAccountStream(userId), [
        {
          type: 'UserRegistered',
          data: { userId, officeId, username: `user${o}.${u}`, role: 'member', passwordHash: '$argon2id$x' },
        },
      ]);
      if (u % 2 === 1) continue;
      await append(store, userSecurityStream(userId), [
        {
          type: 'TotpEnrollmentStarted',
          data: {
            userId,
            enrollmentId: `e-${userId}`,
            secret,
            startedAt: '2026-11-26T10:00:00.000Z',
            expiresAt: '2026-11-26T10:10:00.000Z',
          },
        },
        {
          type: 'TotpEnrolled',
          data: {
            userId,
            enrollmentId: `e-${userId}`,
            enrolledAt: '2026-11-26T10:01:00.000Z',
            acceptedStep: 100 + u,
          },
        },
      ]);
    }
    await append(store, officeStream(officeId), [
      { type: 'OfficeTwoFactorRequired', data: { officeId, enforceFrom: null } },
    ]);
  }
};
