import { randomUUID } from 'node:crypto';
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type SnapshotAndAfter,
  type StreamSnapshot,
  type Subscription,
  type SubscriptionHandler,
} from '../../../application/ports/event-store.ts';
import { followAll } from '../follow-all.ts';

/** Events in a list; for unit tests and as the reference the other stores are compared with. */
export class MemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly listeners = new Set<() => void>();
  private readonly snapshots = new Map<string, StreamSnapshot>();
  private readonly id = randomUUID();

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? 'no-stream' : stream.length - 1;
    if (expected !== 'any' && expected !== actual) throw new ConcurrencyError(streamId, expected, actual);
    for (const event of events) {
      const recorded: RecordedEvent = structuredClone({
        ...event,
        streamId,
        revision: stream.length,
        position: this.all.length + 1,
      });
      stream.push(recorded);
      this.all.push(recorded);
    }
    this.streams.set(streamId, stream);
    for (const wake of this.listeners) wake();
    return { revision: stream.length - 1, position: this.all.length };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return structuredClone(this.streams.get(streamId) ?? []);
  }

  async readStreamAfter(streamId: string, afterRevision: number): Promise<RecordedEvent[]> {
    return structuredClone((this.streams.get(streamId) ?? []).slice(Math.max(afterRevision + 1, 0)));
  }

  async readSnapshot(streamId: string): Promise<StreamSnapshot | null> {
    return structuredClone(this.snapshots.get(streamId) ?? null);
  }

  async readFromSnapshot(streamId: string): Promise<SnapshotAndAfter> {
    const snapshot = this.snapshots.get(streamId) ?? null;
    const events = (this.streams.get(streamId) ?? []).slice(snapshot?.revision ?? 0);
    return structuredClone({ snapshot, events });
  }

  async writeSnapshot(snapshot: StreamSnapshot): Promise<void> {
    const kept = this.snapshots.get(snapshot.streamId);
    // Kept as JSON, as the other stores keep it: a state that does not survive JSON fails here too.
    if (kept === undefined || snapshot.revision > kept.revision)
      this.snapshots.set(snapshot.streamId, JSON.parse(JSON.stringify(snapshot)));
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    return structuredClone(this.all.slice(after, after + limit));
  }

  subscribeToAll(after: number, handler: SubscriptionHandler): Subscription {
    return followAll(this, after, handler, (wake) => {
      this.listeners.add(wake);
      return () => this.listeners.delete(wake);
    });
  }

  async headPosition(): Promise<number> {
    return this.all.length;
  }

  async storeId(): Promise<string> {
    return this.id;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
