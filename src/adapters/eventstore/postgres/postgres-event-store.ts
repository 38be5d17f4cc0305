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
  type StreamSnapshot,
  type Subscription,
  type SubscriptionHandler,
} from '../../../application/ports/event-store.ts';
import { followAll } from '../follow-all.ts';
import { AppendWakeUps } from './append-wake-ups.ts';
import { appendsChannel, inTransaction, migratedOnce, openPool, unavailable } from './postgres-pool.ts';

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

/**
 * One statement per append: checks the stream's last revision against the expected one ($2: null for
 * `any`, -1 for `no-stream`) and inserts the events at positions after $3 only when it matches.
 */
const appendSql = `
  WITH last AS (SELECT COALESCE(max(revision), -1) AS revision FROM events WHERE stream_id = $1),
  inserted AS (
    INSERT INTO events (position, stream_id, revision, type, data, metadata)
    SELECT $3::bigint + e.ordinal, $1, last.revision + e.ordinal, e.type, e.data, e.metadata
    FROM last, unnest($4::text[], $5::json[], $6::json[]) WITH ORDINALITY AS e(type, data, metadata, ordinal)
    WHERE $2::integer IS NULL OR last.revision = $2::integer
    RETURNING 1
  )
  SELECT last.revision AS last, (SELECT count(*) FROM inserted)::integer AS inserted FROM last`;

type PendingAppend = {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

type Outcome = { result: AppendResult } | { error: unknown };

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
    this.pool = openPool(connectionString);
    this.migrated = migratedOnce(this.pool);
    this.wakeUps = new AppendWakeUps(connectionString);
    this.options = options;
  }

  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    this.requireOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected, resolve, reject });
      if (!this.committing) void this.commitPending();
    });
  }

  /** One transaction at a time per store; whatever queued meanwhile goes into the next one. */
  private async commitPending(): Promise<void> {
    this.committing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.commitBatch(batch);
      }
    } finally {
      this.committing = false;
    }
  }

  private async commitBatch(batch: PendingAppend[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      this.requireOpen();
      await this.migrated();
      outcomes = await inTransaction(this.pool, async (client) => {
        const locked = await client.query<{ position: string }>({
          name: 'sf-lock-head',
          text: 'SELECT position FROM all_head FOR UPDATE',
        });
        const head = Number(locked.rows[0]?.position);
        let position = head;
        const results: Outcome[] = [];
        // Each append in its own savepoint: one that fails leaves the others in the batch intact.
        for (const append of batch) {
          await client.query('SAVEPOINT append');
          try {
            const result = await this.appendAfter(client, position, append);
            if (append.events.length > 0) position = result.position;
            results.push({ result });
            await client.query('RELEASE SAVEPOINT append');
          } catch (error) {
            await client.query('ROLLBACK TO SAVEPOINT append');
            results.push({ error });
          }
        }
        if (position > head) {
          await client.query({
            name: 'sf-advance-head',
            text: 'UPDATE all_head SET position = $1',
            values: [position],
          });
          await client.query({
            name: 'sf-notify',
            text: 'SELECT pg_notify($1, $2)',
            values: [appendsChannel, String(position)],
          });
        }
        await this.options.beforeCommit?.();
        return results;
      });
    } catch (error) {
      const failure = unavailable('append', error);
      for (const append of batch) append.reject(failure);
      return;
    }
    batch.forEach((append, index) => {
      const outcome = outcomes[index];
      if (outcome !== undefined && 'result' in outcome) append.resolve(outcome.result);
      else append.reject(outcome?.error);
    });
    for (const wake of this.localListeners) wake();
  }

  private async appendAfter(
    client: pg.PoolClient,
    head: number,
    { streamId, events, expected }: PendingAppend,
  ): Promise<AppendResult> {
    const { rows } = await client.query<{ last: number; inserted: number }>({
      name: 'sf-append',
      text: appendSql,
      values: [
        streamId,
        expected === 'any' ? null : expected === 'no-stream' ? -1 : expected,
        head,
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event.data)),
        events.map((event) => JSON.stringify(event.metadata)),
      ],
    });
    const last = rows[0]?.last ?? -1;
    if (expected !== 'any' && expected !== (last === -1 ? 'no-stream' : last))
      throw new ConcurrencyError(streamId, expected, last === -1 ? 'no-stream' : last);
    if (rows[0]?.inserted !== events.length) throw new Error(`Append to ${streamId} inserted too few rows.`);
    return { revision: last + events.length, position: events.length === 0 ? 0 : head + events.length };
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
