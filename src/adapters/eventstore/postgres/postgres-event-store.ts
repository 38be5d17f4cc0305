import type pg from 'pg';
import {
  type AppendResult,
  ConcurrencyError,
  type EventMetadata,
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
import { followAll } from '../follow-all.ts';
import { type AppendOutcome, type PendingAppend, settleAppends } from '../group-commit.ts';
import { AppendWakeUps } from './append-wake-ups.ts';
import { appendsChannel, migratedOnce, openPool, unavailable } from './postgres-pool.ts';

type Row = {
  position: string;
  stream_id: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
};

const toRecorded = (row: Row): RecordedEvent => ({
  streamId: row.stream_id,
  revision: row.revision,
  position: Number(row.position),
  type: row.type,
  data: row.data,
  metadata: row.metadata,
});

const columns = 'position, stream_id, revision, type, data, metadata';

/** An event row, or the snapshot's: that one has no position, and its state in `data`. */
type FromSnapshotRow = Omit<Row, 'position'> & { position: string | null; schema_version: number | null };

/**
 * The snapshot (a row with a null position) and the events from the revision it covers on, in one
 * statement: one round trip, and both read from one snapshot of the database.
 */
const fromSnapshotSql = `
  WITH snapshot AS (SELECT revision, schema_version, state FROM snapshots WHERE stream_id = $1)
  SELECT NULL::bigint AS position, $1 AS stream_id, revision, NULL AS type, state AS data,
         NULL::json AS metadata, schema_version
    FROM snapshot
  UNION ALL
  SELECT ${columns}, NULL
    FROM events
   WHERE stream_id = $1 AND revision >= COALESCE((SELECT revision FROM snapshot), 0)
  ORDER BY position NULLS FIRST, revision`;

/**
 * One statement per append, so that appends can be sent together: checks the stream's last revision
 * against the expected one ($2: null for `any`, -1 for `no-stream`); only when it matches, advances the
 * `$all` head by the $3 events and inserts them at the positions it passed. A mismatch writes nothing
 * and raises nothing: the caller reads it from `last`.
 */
const appendSql = `
  WITH last AS (SELECT COALESCE(max(revision), -1) AS revision FROM events WHERE stream_id = $1),
  matching AS (SELECT revision FROM last WHERE $2::integer IS NULL OR revision = $2::integer),
  head AS (
    UPDATE all_head SET position = position + $3::integer
    WHERE EXISTS (SELECT 1 FROM matching)
    RETURNING position - $3::integer AS before
  ),
  inserted AS (
    INSERT INTO events (position, stream_id, revision, type, data, metadata)
    SELECT head.before + e.ordinal, $1, matching.revision + e.ordinal, e.type, e.data, e.metadata
    FROM head, matching,
      unnest($4::text[], $5::json[], $6::json[]) WITH ORDINALITY AS e(type, data, metadata, ordinal)
    RETURNING 1
  )
  SELECT last.revision AS last, (SELECT before FROM head) AS before,
    (SELECT count(*) FROM inserted)::integer AS inserted
  FROM last`;

type AppendRow = { last: number; before: string | null; inserted: number };

/** Appends committed in one transaction at most: a bound on one pipeline's size. */
const batchLimit = 500;

const rejection = (step: PromiseSettledResult<unknown> | undefined): unknown =>
  step?.status === 'rejected' ? step.reason : undefined;

/** What one append's statement answered: its result, or the conflict it found. */
const outcomeOf = (
  { streamId, events, expected }: PendingAppend,
  step: PromiseSettledResult<pg.QueryResult<AppendRow>>,
): AppendOutcome => {
  const row = step.status === 'fulfilled' ? step.value.rows[0] : undefined;
  const last = row?.last ?? -1;
  const actual = last === -1 ? 'no-stream' : last;
  if (expected !== 'any' && expected !== actual)
    return { error: new ConcurrencyError(streamId, expected, actual) };
  if (row?.inserted !== events.length || row.before === null)
    return {
      error: new Error(`Append to ${streamId} inserted ${row?.inserted} of ${events.length} events.`),
    };
  return {
    result: {
      revision: last + events.length,
      position: events.length === 0 ? 0 : Number(row.before) + events.length,
    },
  };
};

export type PostgresEventStoreOptions = {
  /** How often a follower looks for new events when no notification woke it. */
  pollMs?: number;
  /** Tests only: runs inside each append transaction, while it holds the `$all` head lock. */
  beforeCommit?: () => Promise<void>;
};

/**
 * Events in PostgreSQL. Every append transaction locks the single `all_head` row before it takes
 * positions and keeps the lock until it commits, so positions are given out in commit order and a
 * follower reading `position > checkpoint` can never pass a position that commits later. Appends
 * that queue up while one transaction runs are committed together in the next (group commit).
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly migrated: () => Promise<void>;
  private readonly wakeUps: AppendWakeUps;
  private readonly localListeners = new Set<() => void>();
  private readonly options: PostgresEventStoreOptions;
  private pending: PendingAppend[] = [];
  private committing = false;
  private open = true;
  private id: Promise<string> | null = null;

  constructor(connectionString: string, options: PostgresEventStoreOptions = {}) {
    this.pool = openPool(connectionString, { pipeline: true });
    this.migrated = migratedOnce(this.pool);
    this.wakeUps = new AppendWakeUps(connectionString);
    this.options = options;
  }

  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.requireOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected, resolve, reject });
      // Started on the next turn, so that appends made in the same tick share the first transaction too.
      if (!this.committing) {
        this.committing = true;
        setImmediate(() => void this.commitPending());
      }
    });
  }

  /** One transaction at a time per store; whatever queued meanwhile goes into the next one. */
  private async commitPending(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.commitBatch(this.pending.splice(0, batchLimit));
    } finally {
      this.committing = false;
    }
  }

  /**
   * Sends the whole batch at once (pg's pipeline mode): one round trip, then COMMIT. Each append sits in
   * its own savepoint; when one fails, the server ignores everything after it until we roll back to its
   * savepoint, so the appends after it are sent again, and only the failed one is refused.
   */
  private async commitBatch(batch: PendingAppend[]): Promise<void> {
    const outcomes: AppendOutcome[] = [];
    let client: pg.PoolClient | null = null;
    try {
      this.requireOpen();
      await this.migrated();
      client = await this.pool.connect();
      const opening = Promise.all([
        client.query('BEGIN'),
        // The guard: held until COMMIT, so positions are taken in commit order.
        client.query({ name: 'sf-lock-head', text: 'SELECT position FROM all_head FOR UPDATE' }),
        client.query({ name: 'sf-notify', text: "SELECT pg_notify($1, '')", values: [appendsChannel] }),
      ]);
      opening.catch(() => {});
      for (let from = 0; from < batch.length; ) {
        const sent = batch
          .slice(from)
          .map((append, offset) => this.sendAppend(client!, append, from + offset));
        if (from === 0) await opening;
        const settled = await Promise.all(sent);
        const failed = settled.findIndex((steps) => steps.some((step) => step.status === 'rejected'));
        const done = failed === -1 ? settled : settled.slice(0, failed);
        for (const [offset, steps] of done.entries())
          outcomes.push(outcomeOf(batch[from + offset]!, steps[1]!));
        if (failed === -1) break;
        const [savepoint, statement, release] = settled[failed]!;
        // Not even the savepoint was taken: the transaction (or the connection) failed before this append.
        if (savepoint?.status === 'rejected') throw savepoint.reason;
        await client.query(`ROLLBACK TO SAVEPOINT append_${from + failed}`);
        outcomes.push({ error: rejection(statement) ?? rejection(release) });
        from += failed + 1;
      }
      await this.options.beforeCommit?.();
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      if (client !== null) {
        const broken = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        client.release(broken ? (error as Error) : undefined);
      }
      const failure = unavailable('append', error);
      for (const append of batch) append.reject(failure);
      return;
    }
    settleAppends(batch, outcomes);
    for (const wake of this.localListeners) wake();
  }

  /** Queues one append and its savepoint on the connection; nothing is awaited, so all go out together. */
  private sendAppend(
    client: pg.PoolClient,
    { streamId, events, expected }: PendingAppend,
    index: number,
  ): Promise<PromiseSettledResult<pg.QueryResult<AppendRow>>[]> {
    return Promise.allSettled([
      client.query<AppendRow>(`SAVEPOINT append_${index}`),
      client.query<AppendRow>({
        name: 'sf-append',
        text: appendSql,
        values: [
          streamId,
          expected === 'any' ? null : expected === 'no-stream' ? -1 : expected,
          events.length,
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          events.map((event) => JSON.stringify(event.metadata)),
        ],
      }),
      client.query<AppendRow>(`RELEASE SAVEPOINT append_${index}`),
    ]);
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    return this.readStreamAfter(streamId, -1);
  }

  /** Events of one stream with a revision greater than `afterRevision`, in order. */
  async readStreamAfter(streamId: string, afterRevision: number): Promise<RecordedEvent[]> {
    return (
      await this.query<Row>('read stream', {
        name: 'sf-read-stream',
        text: `SELECT ${columns} FROM events WHERE stream_id = $1 AND revision > $2 ORDER BY revision`,
        values: [streamId, afterRevision],
      })
    ).map(toRecorded);
  }

  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
    return (
      await this.query<Row>('read $all', {
        name: 'sf-read-all',
        text: `SELECT ${columns} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
        values: [after, limit],
      })
    ).map(toRecorded);
  }

  /** Woken by this store's own commits at once, by other instances' through LISTEN, else by the poll. */
  subscribeToAll(after: number, handler: SubscriptionHandler): Subscription {
    return followAll(
      this,
      after,
      handler,
      (wake) => {
        this.localListeners.add(wake);
        const unlisten = this.wakeUps.listen(wake);
        return () => {
          this.localListeners.delete(wake);
          unlisten();
        };
      },
      this.options.pollMs ?? 500,
    );
  }

  async headPosition(): Promise<number> {
    const [row] = await this.query<{ position: string }>('read the head', {
      name: 'sf-head',
      text: 'SELECT position FROM all_head',
    });
    return Number(row?.position ?? 0);
  }

  /** Id created once with the store: read models record it to prove which store they came from. */
  storeId(): Promise<string> {
    this.id ??= this.query<{ store_id: string }>('read the store id', {
      text: 'SELECT store_id FROM store_identity',
    }).then(
      ([row]) => {
        if (row === undefined) throw new Error('The store_identity row is missing.');
        return row.store_id;
      },
      (error: unknown) => {
        this.id = null;
        throw error;
      },
    );
    return this.id;
  }

  /** The snapshot last written for the stream, or null. */
  async readSnapshot(streamId: string): Promise<StreamSnapshot | null> {
    const [row] = await this.query<{ revision: number; schema_version: number; state: unknown }>(
      'read a snapshot',
      {
        name: 'sf-read-snapshot',
        text: 'SELECT revision, schema_version, state FROM snapshots WHERE stream_id = $1',
        values: [streamId],
      },
    );
    return row === undefined
      ? null
      : { streamId, revision: row.revision, schemaVersion: row.schema_version, state: row.state };
  }

  async readFromSnapshot(streamId: string): Promise<SnapshotAndAfter> {
    const rows = await this.query<FromSnapshotRow>('read a snapshot and the events after it', {
      name: 'sf-read-from-snapshot',
      text: fromSnapshotSql,
      values: [streamId],
    });
    const [first] = rows;
    const eventsOf = (eventRows: FromSnapshotRow[]) => (eventRows as Row[]).map(toRecorded);
    if (first === undefined || first.position !== null) return { snapshot: null, events: eventsOf(rows) };
    const snapshot: StreamSnapshot = {
      streamId,
      revision: first.revision,
      schemaVersion: first.schema_version ?? 0,
      state: first.data,
    };
    return { snapshot, events: eventsOf(rows.slice(1)) };
  }

  /** Keeps `snapshot` for its stream when it covers a later revision than the one kept. */
  async writeSnapshot(snapshot: StreamSnapshot): Promise<void> {
    await this.query('write a snapshot', {
      name: 'sf-write-snapshot',
      text: `INSERT INTO snapshots (stream_id, revision, schema_version, state) VALUES ($1, $2, $3, $4)
             ON CONFLICT (stream_id) DO UPDATE
             SET revision = EXCLUDED.revision, schema_version = EXCLUDED.schema_version, state = EXCLUDED.state
             WHERE snapshots.revision < EXCLUDED.revision`,
      values: [snapshot.streamId, snapshot.revision, snapshot.schemaVersion, JSON.stringify(snapshot.state)],
    });
  }

  async ping(): Promise<void> {
    await this.headPosition();
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.wakeUps.close();
    await this.pool.end();
  }

  private async query<R extends pg.QueryResultRow>(what: string, query: pg.QueryConfig): Promise<R[]> {
    this.requireOpen();
    try {
      await this.migrated();
      return (await this.pool.query<R>(query)).rows;
    } catch (error) {
      throw unavailable(what, error);
    }
  }

  private requireOpen(): void {
    if (!this.open) throw new EventStoreUnavailableError('The event store is closed.');
  }
}
