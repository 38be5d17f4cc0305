import {
  ANY,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { DataKeyStore, StoredDataKey } from '../../../application/ports/data-key-store.ts';
import { EventStoreUnavailableError } from '../../../application/ports/event-store.ts';

const keyStream = (subjectId: string) => `data-key-${subjectId}`;
/** Not a domain event type, so the event store adapter leaves these out of every read. */
const keyCreated = 'DataKeyCreated';

/**
 * Data keys in EventStoreDB: one stream per key, erased by tombstoning it (it can never be written
 * again; the bytes leave the disk at the next scavenge).
 */
export class EsdbDataKeyStore implements DataKeyStore {
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async find(subjectId: string): Promise<StoredDataKey | null> {
    try {
      for await (const resolved of this.client.readStream(keyStream(subjectId), { maxCount: 1 })) {
        const data = resolved.event?.data as { wrappedKey?: unknown } | undefined;
        if (typeof data?.wrappedKey === 'string') return { state: 'active', wrappedKey: data.wrappedKey };
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      if (error instanceof StreamDeletedError) return { state: 'erased', erasedAt: null };
      throw new EventStoreUnavailableError('EventStoreDB read of a data key failed.', { cause: error });
    }
  }

  async create(subjectId: string, wrappedKey: string): Promise<StoredDataKey> {
    try {
      await this.client.appendToStream(
        keyStream(subjectId),
        jsonEvent({ type: keyCreated, data: { wrappedKey } }),
        {
          expectedRevision: NO_STREAM,
        },
      );
    } catch (error) {
      const lostRace = error instanceof WrongExpectedVersionError || error instanceof StreamDeletedError;
      if (!lostRace)
        throw new EventStoreUnavailableError('EventStoreDB append of a data key failed.', { cause: error });
    }
    const stored = await this.find(subjectId);
    if (stored === null) throw new Error(`The data key of ${subjectId} was not stored.`);
    return stored;
  }

  async erase(subjectId: string): Promise<boolean> {
    const before = await this.find(subjectId);
    if (before?.state === 'erased') return false;
    try {
      await this.client.tombstoneStream(keyStream(subjectId), { expectedRevision: ANY });
    } catch (error) {
      if (error instanceof StreamDeletedError) return false;
      throw new EventStoreUnavailableError('EventStoreDB tombstone of a data key failed.', { cause: error });
    }
    return before !== null;
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
