import type { DatabaseSync, StatementSync } from 'node:sqlite';
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
import { openSqlite } from '../../sqlite/open-sqlite.ts';
import { followAll } from '../follow-all.ts';
import { migrate } from './schema.ts';
import { readOrCreateStoreId } from './store-identity.ts';
import { type WriteOutcome, type WriteRequest, WriterThread } from './writer-thread.ts';

type Row = {
  position: number;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
};

type SnapshotRow = { stream_id: string; revision: number; schema_version: number; state: string };

const snapshotOf = (row: SnapshotRow): StreamSnapshot => ({
  streamId: row.stream_id,
  revision: row.revision,
  schemaVersion: row.schema_version,
  state: JSON.parse(row.state),
});

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

/** A row of the $all read, as an array: node:sqlite makes those about twice as fast as objects. */
type RowArray = [
  position: number,
  streamId: string,
  revision: number,
  type: string,
  data: string,
  metadata: string,
];
const allColumns = 'position, stream_id, revision, type, data, metadata';

/**
 * As toRecorded, but the metadata (often larger than the data) is parsed when first read: the $all
 * reader feeds projections, which need it for a few event types only. A row whose metadata is not
 * valid JSON still throws, at that first read.
 */
const toRecordedWithLazyMetadata = ([
  position,
  streamId,
  revision,
  type,
  data,
  json,
]: RowArray): RecordedEvent => {
  let metadata: RecordedEvent['metadata'] | undefined;
  return {
    streamId,
    revision,
    position,
    type,
    data: JSON.parse(data),
    get metadata() {
      metadata ??= JSON.parse(json) as RecordedEvent['metadata'];
      return metadata;
    },
  };
};

/** The writer thread found the stream at another revision than the append expected. */
class Conflict extends Error {
  readonly actual: number | 'no-stream';
  constructor(actual: number | 'no-stream') {
    super('conflict');
    this.actual = actual;
  }
}

const settle = (write: PendingWrite, outcome: WriteOutcome | undefined): void => {
  if (outcome !== undefined && 'ok' in outcome) write.resolve(outcome.ok);
  else if (outcome !== undefined && 'conflict' in outcome)
    write.reject(new Conflict(outcome.conflict.actual));
  else write.reject(outcome?.failed ?? new EventStoreUnavailableError('The write had no outcome.'));
};

/** The events a batch appended, as the $all read gives them, in position order. */
const committedRows = (batch: PendingWrite[], outcomes: WriteOutcome[]): RowArray[] => {
  const rows: RowArray[] = [];
  for (const [index, { request }] of batch.entries()) {
    const outcome = outcomes[index];
    if (request.kind !== 'append' || outcome === undefined || !('ok' in outcome)) continue;
    const firstRevision = outcome.ok.revision - request.events.length + 1;
    for (const [offset, event] of request.events.entries())
      rows.push([
        outcome.positions[offset]!,
        request.streamId,
        firstRevision + offset,
        event.type,
        event.data,
        event.metadata,
      ]);
  }
  return rows.sort((a, b) => a[0] - b[0]);
};

/** A write waiting for the batch that commits it together with the others queued meanwhile. */
type PendingWrite = {
  request: WriteRequest;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

const busyTimeoutMs = 5_000;

/**
 * The embedded event store: one SQLite file in WAL mode. Reads run on this thread's connection; writes
 * (appends and snapshots) are committed by a writer thread with a connection of its own (see
 * writer-thread.ts), in batches of whatever was written while the previous batch synced to disk.
 * Several processes may share the file; each subscription wakes on its own process's appends and
 * polls for the others'.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<
    'stream' | 'streamAfter' | 'all' | 'head' | 'snapshot' | 'begin' | 'end',
    StatementSync
  >;
  private readonly listeners = new Set<(committed: RecordedEvent[]) => void>();
  private open = true;
  private pending: PendingWrite[] = [];
  private committing = false;
  private writer: WriterThread | undefined;
  private id: string | undefined;

  private readonly path: string;

  constructor(path: string) {
    this.path = path;
    // Several processes may open (and create) the file at the same moment: openSqlite makes that safe.
    this.db = openSqlite(path, {
      journalMode: 'wal',
      connectionPragmas: ['synchronous = FULL'],
      migrate,
      busyTimeoutMs,
    });
    this.statements = {
      stream: this.db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision'),
      streamAfter: this.db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision',
      ),
      all: this.db.prepare(`SELECT ${allColumns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      head: this.db.prepare('SELECT COALESCE(MAX(position), 0) AS position FROM events'),
      snapshot: this.db.prepare('SELECT * FROM snapshots WHERE stream_id = ?'),
      begin: this.db.prepare('BEGIN'),
      end: this.db.prepare('COMMIT'),
    };
    this.statements.all.setReturnArrays(true);
  }

  /**
   * Resolves once the events are durable. Appends made while a batch is syncing are committed together
   * in the next one (group commit): each in its own savepoint, so one's conflict does not fail the others.
   */
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.requireOpen();
    const request: WriteRequest = {
      kind: 'append',
      streamId,
      events: events.map((event) => ({
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
      })),
      expected,
    };
    return this.write(request).catch((error: unknown) => {
      if (error instanceof Conflict) throw new ConcurrencyError(streamId, expected, error.actual);
      throw error;
    });
  }

  private write(request: WriteRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (!this.committing) this.commitPending();
    });
  }

  /** Sends what is queued as one batch, unless one is in flight: then it goes when that one is on disk. */
  private commitPending(): void {
    if (this.committing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (!this.open) {
      for (const write of batch) write.reject(new EventStoreUnavailableError('The event store is closed.'));
      return;
    }
    this.committing = true;
    this.writer ??= new WriterThread(this.path, busyTimeoutMs);
    const writer = this.writer;
    writer
      .commit(batch.map((write) => write.request))
      .then(
        (outcomes) => {
          for (const [index, write] of batch.entries()) settle(write, outcomes[index]);
          if (this.listeners.size === 0) return;
          const rows = committedRows(batch, outcomes);
          for (const handOn of this.listeners) handOn(rows.map(toRecordedWithLazyMetadata));
        },
        (error: unknown) => {
          if (writer.failed && this.writer === writer) this.writer = undefined;
          const unavailable = new EventStoreUnavailableError('The event store could not commit.', {
            cause: error,
          });
          for (const write of batch) write.reject(unavailable);
        },
      )
      .finally(() => {
        this.committing = false;
        this.commitPending();
      });
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    this.requireOpen();
    return (this.statements.stream.all(streamId) as Row[]).map(toRecorded);
  }

  async readStreamAfter(streamId: string, afterRevision: number): Promise<RecordedEvent[]> {
    this.requireOpen();
    return (this.statements.streamAfter.all(streamId, afterRevision) as Row[]).map(toRecorded);
  }

  async readSnapshot(streamId: string): Promise<StreamSnapshot | null> {
    this.requireOpen();
    const row = this.statements.snapshot.get(streamId) as SnapshotRow | undefined;
    return row === undefined ? null : snapshotOf(row);
  }

  /** Both reads in one read transaction: one snapshot of the file, and one round of SQLite's locks. */
  async readFromSnapshot(streamId: string): Promise<SnapshotAndAfter> {
    this.requireOpen();
    this.statements.begin.run();
    try {
      const row = this.statements.snapshot.get(streamId) as SnapshotRow | undefined;
      const snapshot = row === undefined ? null : snapshotOf(row);
      const rows = this.statements.streamAfter.all(streamId, (snapshot?.revision ?? 0) - 1) as Row[];
      return { snapshot, events: rows.map(toRecorded) };
    } finally {
      this.statements.end.run();
    }
  }

  async writeSnapshot(snapshot: StreamSnapshot): Promise<void> {
    this.requireOpen();
    const { streamId, revision, schemaVersion, state } = snapshot;
    await this.write({ kind: 'snapshot', streamId, revision, schemaVersion, state: JSON.stringify(state) });
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    this.requireOpen();
    return (this.statements.all.all(after, limit) as unknown as RowArray[]).map(toRecordedWithLazyMetadata);
  }

  subscribeToAll(after: number, handler: SubscriptionHandler): Subscription {
    return followAll(this, after, handler, (_wake, handOn) => {
      this.listeners.add(handOn);
      return () => this.listeners.delete(handOn);
    });
  }

  async headPosition(): Promise<number> {
    this.requireOpen();
    return (this.statements.head.get() as { position: number }).position;
  }

  async storeId(): Promise<string> {
    this.requireOpen();
    this.id ??= readOrCreateStoreId(this.db);
    return this.id;
  }

  async ping(): Promise<void> {
    await this.headPosition();
  }

  /** Writes already sent to the writer thread are finished; those still queued are refused. */
  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    const queued = this.pending;
    this.pending = [];
    for (const write of queued) write.reject(new EventStoreUnavailableError('The event store is closed.'));
    await this.writer?.close();
    this.db.close();
  }

  private requireOpen(): void {
    if (!this.open) throw new EventStoreUnavailableError('The event store is closed.');
  }
}
