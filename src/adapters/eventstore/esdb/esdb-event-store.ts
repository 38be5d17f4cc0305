import { randomUUID } from 'node:crypto';
import {
  ANY,
  END,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  type Position,
  type ResolvedEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  EventStoreUnavailableError,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type SnapshotAndAfter,
  type StreamSnapshot,
  type Subscription,
  type SubscriptionHandler,
} from '../../../application/ports/event-store.ts';
import { eventTypes } from '../../../domain/events.ts';
import { followAll } from '../follow-all.ts';

/*
 * Our global position is the event's prepare position in the $all log: unique per event, growing, and
 * (with the commit position) how EventStoreDB addresses a place in $all.
 */
const positionOf = (position: Position | undefined): number => Number(position?.prepare ?? 0n);
const fromPosition = (after: number): Position => ({ commit: BigInt(after), prepare: BigInt(after) });

const ourTypes = new Set<string>(eventTypes);
const storeIdentityStream = 'second-factor-store-identity';
const storeIdentityType = 'StoreCreated';

const toRecorded = (resolved: ResolvedEvent): RecordedEvent | null => {
  const event = resolved.event;
  if (event === undefined || !event.isJson || !ourTypes.has(event.type)) return null;
  return {
    streamId: event.streamId,
    revision: Number(event.revision),
    position: positionOf(event.position),
    type: event.type,
    data: event.data,
    metadata: event.metadata as RecordedEvent['metadata'],
  };
};

/** Not a domain event type, so every read of events leaves it out. */
const snapshotType = 'AggregateSnapshot';
const snapshotStream = (streamId: string) => `snapshot-${streamId}`;
type SnapshotData = Omit<StreamSnapshot, 'streamId'>;
/** Two writers racing for one snapshot stream: the loser reads again and decides again, this often. */
const snapshotAttempts = 5;

const actualRevision = (error: WrongExpectedVersionError): number | 'no-stream' =>
  typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : 'no-stream';

/** Production store: EventStoreDB/KurrentDB over gRPC, JSON events, our metadata as event metadata. */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly listeners = new Set<() => void>();

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const expectedRevision =
      expected === 'no-stream' ? NO_STREAM : expected === 'any' ? ANY : BigInt(expected);
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((event) =>
          jsonEvent({
            id: event.metadata.eventId,
            type: event.type,
            data: event.data as Record<string, never>,
            metadata: event.metadata,
          }),
        ),
        { expectedRevision },
      );
      for (const wake of this.listeners) wake();
      return { revision: Number(result.nextExpectedRevision), position: positionOf(result.position) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new ConcurrencyError(streamId, expected, actualRevision(error));
      }
      throw new EventStoreUnavailableError('EventStoreDB append failed.', { cause: error });
    }
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.readFrom(streamId, START);
  }

  private async readFrom(streamId: string, fromRevision: bigint | typeof START): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision })) {
        const recorded = toRecorded(resolved);
        if (recorded !== null) events.push(recorded);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw new EventStoreUnavailableError('EventStoreDB read failed.', { cause: error });
    }
    return events;
  }

  async readStreamAfter(streamId: string, afterRevision: number): Promise<RecordedEvent[]> {
    return this.readFrom(streamId, BigInt(Math.max(afterRevision + 1, 0)));
  }

  async readSnapshot(streamId: string): Promise<StreamSnapshot | null> {
    const last = await this.lastSnapshot(streamId);
    return last === null ? null : { streamId, ...last.data };
  }

  /** Two reads: EventStoreDB has no read across streams at one moment (the covered-event check holds). */
  async readFromSnapshot(streamId: string): Promise<SnapshotAndAfter> {
    const snapshot = await this.readSnapshot(streamId);
    return { snapshot, events: await this.readFrom(streamId, BigInt(snapshot?.revision ?? 0)) };
  }

  /**
   * One `snapshot-<stream>` stream per aggregate that keeps only its newest event (`maxCount: 1`); the
   * append expects the revision it compared with, so an older snapshot never lands after a newer one.
   */
  async writeSnapshot(snapshot: StreamSnapshot): Promise<void> {
    const { streamId, ...data } = snapshot;
    const stream = snapshotStream(streamId);
    for (let attempt = 1; ; attempt++) {
      const last = await this.lastSnapshot(streamId);
      if (last !== null && last.data.revision >= snapshot.revision) return;
      try {
        // Metadata first (a stream may have metadata before its first event), so it never grows unbounded.
        if (last === null) await this.client.setStreamMetadata(stream, { maxCount: 1 });
        await this.client.appendToStream(stream, jsonEvent({ type: snapshotType, data }), {
          expectedRevision: last === null ? NO_STREAM : last.eventRevision,
        });
        return;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < snapshotAttempts) continue;
        throw new EventStoreUnavailableError('EventStoreDB write of a snapshot failed.', { cause: error });
      }
    }
  }

  private async lastSnapshot(
    streamId: string,
  ): Promise<{ data: SnapshotData; eventRevision: bigint } | null> {
    try {
      const read = this.client.readStream(snapshotStream(streamId), {
        direction: 'backwards',
        fromRevision: END,
        maxCount: 1,
      });
      for await (const resolved of read) {
        const event = resolved.event;
        if (event?.type === snapshotType && event.isJson)
          return { data: event.data as SnapshotData, eventRevision: event.revision };
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw new EventStoreUnavailableError('EventStoreDB read of a snapshot failed.', { cause: error });
    }
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readAll({
        fromPosition: after === 0 ? 'start' : fromPosition(after),
      });
      for await (const resolved of read) {
        const recorded = toRecorded(resolved);
        if (recorded === null || recorded.position <= after) continue;
        events.push(recorded);
        if (events.length === limit) break;
      }
    } catch (error) {
      throw new EventStoreUnavailableError('EventStoreDB read of $all failed.', { cause: error });
    }
    return events;
  }

  /** Pages through $all like the other stores, leaving out system events and types that are not ours. */
  subscribeToAll(after: number, handler: SubscriptionHandler): Subscription {
    return followAll(this, after, handler, (wake) => {
      this.listeners.add(wake);
      return () => this.listeners.delete(wake);
    });
  }

  async headPosition(): Promise<number> {
    try {
      for await (const resolved of this.client.readAll({ direction: 'backwards', fromPosition: 'end' })) {
        const recorded = toRecorded(resolved);
        if (recorded !== null) return recorded.position;
      }
      return 0;
    } catch (error) {
      throw new EventStoreUnavailableError('EventStoreDB is not reachable.', { cause: error });
    }
  }

  /** The id is the first event of a well-known stream; whoever writes it first wins, the others read it. */
  async storeId(): Promise<string> {
    try {
      const existing = await this.readStoreId();
      if (existing !== null) return existing;
      const id = randomUUID();
      try {
        await this.client.appendToStream(
          storeIdentityStream,
          jsonEvent({ type: storeIdentityType, data: { storeId: id } }),
          { expectedRevision: NO_STREAM },
        );
        return id;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) return (await this.readStoreId()) ?? id;
        throw error;
      }
    } catch (error) {
      throw new EventStoreUnavailableError('EventStoreDB store identity could not be read.', {
        cause: error,
      });
    }
  }

  private async readStoreId(): Promise<string | null> {
    try {
      for await (const resolved of this.client.readStream(storeIdentityStream, { maxCount: 1 })) {
        const data = resolved.event?.data as { storeId?: unknown } | undefined;
        if (typeof data?.storeId === 'string') return data.storeId;
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.headPosition();
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
