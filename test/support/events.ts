import { randomUUID } from 'node:crypto';
import type { EventToAppend } from '../../src/application/ports/event-store.ts';

/** An event with complete metadata; `data` is whatever the test needs to recognise it by. */
export const anEvent = (data: Record<string, unknown> = {}, type = 'OfficeRegistered'): EventToAppend => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    occurredAt: '2026-11-26T10:00:00.000Z',
    actor: { id: 'platform', role: 'platform' },
    correlationId: randomUUID(),
    causationId: randomUUID(),
    schemaVersion: 1,
  },
});

export const uniqueStream = (name = 'stream'): string => `${name}-${randomUUID()}`;
