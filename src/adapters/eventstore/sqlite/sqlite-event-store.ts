import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  type AppendResult,
  ConcurrencyError,
  type EventStore,
  EventStoreUnavailableError,
  type EventToAppend,
  type ExpectedRevision,
  type RecordedEvent,
  type StreamSnapshot,
  type Subscription,
  type SubscriptionHandler,
} from '../../../application/ports/event-store.ts';
import { openSqlite } from '../../sqlite/open-sqlite.ts';
import { followAll } from '../follow-all.ts';
import { type AppendOutcome, type PendingAppend, settleAppends } from '../group-commit.ts';
import { migrate } from './schema.ts';
import { readOrCreateStoreId } from './store-identity.ts';

type Row = {
  position: number;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
};

type SnapshotRow = { stream_id: string; revision: number; schema_version: number; state: string };

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

/**
 * The embedded event store: one SQLite file in WAL mode, one transaction per append. Several processes
 * may share the file; each subscription wakes on its own process's appends and polls for the others'.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: DatabaseSync;
  private readonly statements: Record<
    'last' | 'insert' | 'stream' | 'streamAfter' | 'all' | 'head' | 'snapshot' | 'keepSnapshot',
    StatementSync
  >;
  private readonly listeners = new Set<() => void>();
  private open = true;
  private pending: PendingAppend[] = [];
  private id: string | undefined;

  constructor(path: string) {
    // Several processes may open (and create) the file at the same moment: openSqlite makes that safe.
    this.db = openSqlite(path, { journalMode: 'wal', connectionPragmas: ['synchronous = FULL'], migrate });
    this.statements = {
      last: this.db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?'),
      insert: this.db.prepare(
        'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
      ),
      stream: this.db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY revision'),
      streamAfter: this.db.prepare(
        'SELECT * FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision',
      ),
      all: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      head: this.db.prepare('SELECT COALESCE(MAX(position), 0) AS position FROM events'),
      snapshot: this.db.prepare('SELECT * FROM snapshots WHERE stream_id = ?'),
      keepSnapshot: this.db.prepare(
        `INSERT INTO snapshots (stream_id, revision, schema_version, state) VALUES (?, ?, ?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET
           revision = excluded.revision, schema_version = excluded.schema_version, state = excluded.state
         WHERE excluded.revision > snapshots.revision`,
      ),
    };
  }

  /**
   * Appends that arrive while the event loop is busy are committed together (group commit): each in
   * its own savepoint, so one's conflict does not fail the others, and one disk sync for all of them.
   */
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.requireOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    if (!this.open) {
      for (const append of batch) append.reject(new EventStoreUnavailableError('The event store is closed.'));
      return;
    }
    const outcomes: AppendOutcome[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const append of batch) {
        this.db.exec('SAVEPOINT append');
        try {
          outcomes.push({
            result: this.appendInTransaction(append.streamId, append.events, append.expected),
          });
          this.db.exec('RELEASE append');
        } catch (error) {
          this.db.exec('ROLLBACK TO append');
          this.db.exec('RELEASE append');
          outcomes.push({ error });
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      const unavailable = new EventStoreUnavailableError('The event store could not commit.', {
        cause: error,
      });
      for (const append of batch) append.reject(unavailable);
      return;
    }
    settleAppends(batch, outcomes);
    for (const wake of this.listeners) wake();
  }

  private appendInTransaction(
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): AppendResult {
    const last = (this.statements.last.get(streamId) as { revision: number | null }).revision;
    const actual = last ?? 'no-stream';
    if (expected !== 'any' && expected !== actual) throw new ConcurrencyError(streamId, expected, actual);
    let revision = last ?? -1;
    let position = 0;
    for (const event of events) {
      revision += 1;
      const result = this.statements.insert.run(
        streamId,
        revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      );
      position = Number(result.lastInsertRowid);
    }
    return { revision, position };
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
    if (row === undefined) return null;
    return {
      streamId: row.stream_id,
      revision: row.revision,
      schemaVersion: row.schema_version,
      state: JSON.parse(row.state),
    };
  }

  async writeSnapshot(snapshot: StreamSnapshot): Promise<void> {
    this.requireOpen();
    const { streamId, revision, schemaVersion, state } = snapshot;
    this.statements.keepSnapshot.run(streamId, revision, schemaVersion, JSON.stringify(state));
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    this.requireOpen();
    return (this.statements.all.all(after, limit) as Row[]).map(toRecorded);
  }

  subscribeToAll(after: number, handler: SubscriptionHandler): Subscription {
    return followAll(this, after, handler, (wake) => {
      this.listeners.add(wake);
      return () => this.listeners.delete(wake);
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

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.db.close();
  }

  private requireOpen(): void {
    if (!this.open) throw new EventStoreUnavailableError('The event store is closed.');
  }
}
