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
/** Not domain event types, so the event store adapter leaves these out of every read. */
const keyCreated = 'DataKeyCreated';
const keyRewrapped = 'DataKeyRewrapped';

/**
 * Data keys in EventStoreDB: one stream per key whose last event holds the wrapped key; erased by
 * tombstoning the stream (it can never be written again; the bytes leave the disk at the next
 * scavenge, as do those of a key re-wrapped since, cut off by `truncateBefore`).
 */
export class EsdbDataKeyStore implements DataKeyStore {
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async find(subjectId: string): Promise<StoredDataKey | null> {
    const last = await this.last(subjectId);
    if (last === null || last === 'erased')
      return last === 'erased' ? { state: 'erased', erasedAt: null } : null;
    return { state: 'active', wrappedKey: last.wrappedKey };
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

  async replace(subjectId: string, expectedWrappedKey: string, newWrappedKey: string): Promise<boolean> {
    const last = await this.last(subjectId);
    if (last === null || last === 'erased' || last.wrappedKey !== expectedWrappedKey) return false;
    try {
      const written = await this.client.appendToStream(
        keyStream(subjectId),
        jsonEvent({ type: keyRewrapped, data: { wrappedKey: newWrappedKey } }),
        { expectedRevision: last.revision },
      );
      await this.client.setStreamMetadata(keyStream(subjectId), {
        truncateBefore: Number(written.nextExpectedRevision),
      });
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError || error instanceof StreamDeletedError) return false;
      throw new EventStoreUnavailableError('EventStoreDB re-wrap of a data key failed.', { cause: error });
    }
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

  /** The key stream's last event, 'erased' for a tombstoned stream, null for none. */
  private async last(subjectId: string): Promise<{ wrappedKey: string; revision: bigint } | 'erased' | null> {
    try {
      const read = this.client.readStream(keyStream(subjectId), {
        direction: 'backwards',
        fromRevision: 'end',
        maxCount: 1,
      });
      for await (const resolved of read) {
        const data = resolved.event?.data as { wrappedKey?: unknown } | undefined;
        if (typeof data?.wrappedKey === 'string' && resolved.event !== undefined)
          return { wrappedKey: data.wrappedKey, revision: resolved.event.revision };
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      if (error instanceof StreamDeletedError) return 'erased';
      throw new EventStoreUnavailableError('EventStoreDB read of a data key failed.', { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
