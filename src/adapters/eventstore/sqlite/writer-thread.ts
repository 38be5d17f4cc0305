import { Worker } from 'node:worker_threads';

/** One append of a batch, its event data and metadata already JSON. */
export type AppendRequest = {
  kind: 'append';
  streamId: string;
  events: { type: string; data: string; metadata: string }[];
  /** 'no-stream', 'any' or the stream's last revision. */
  expected: string | number;
};
/** A snapshot written with the batch: the newer one of this and the stored one is kept. */
export type SnapshotRequest = {
  kind: 'snapshot';
  streamId: string;
  revision: number;
  schemaVersion: number;
  state: string;
};
export type WriteRequest = AppendRequest | SnapshotRequest;

/** What one write of a committed batch came to. */
export type WriteOutcome =
  /** `positions`: each appended event's, in order (none for a snapshot). */
  | { ok: { revision: number; position: number }; positions: number[] }
  | { conflict: { actual: number | 'no-stream' } }
  | { failed: Error };

/** A batch's answer: one outcome per write, or why the whole transaction did not commit. */
type BatchReply = { id: number; outcomes: WriteOutcome[] } | { id: number; failure: Error };

/**
 * The writing connection's thread. It runs with `eval` (so it works the same from the sources, the
 * bundle and the tests) and therefore may use nothing from outside its own body but Node's builtins. Each batch is one
 * transaction, each write in its own savepoint (one's conflict does not fail the others), committed
 * with `synchronous = FULL`: the reply is sent only once the commit is on disk.
 */
const writerThread = (): void => {
  // Not `require`: the bundler would rewrite it into a helper that the thread's code does not have.
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
  const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  db.exec('PRAGMA synchronous = FULL');
  const last = db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_id = ?');
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
  );
  const keepSnapshot = db.prepare(
    `INSERT INTO snapshots (stream_id, revision, schema_version, state) VALUES (?, ?, ?, ?)
     ON CONFLICT (stream_id) DO UPDATE SET
       revision = excluded.revision, schema_version = excluded.schema_version, state = excluded.state
     WHERE excluded.revision > snapshots.revision`,
  );

  const write = (request: WriteRequest): WriteOutcome => {
    if (request.kind === 'snapshot') {
      keepSnapshot.run(request.streamId, request.revision, request.schemaVersion, request.state);
      return { ok: { revision: request.revision, position: 0 }, positions: [] };
    }
    const found = (last.get(request.streamId) as { revision: number | null }).revision;
    const actual = found ?? 'no-stream';
    if (request.expected !== 'any' && request.expected !== actual) return { conflict: { actual } };
    let revision = found ?? -1;
    const positions: number[] = [];
    for (const event of request.events) {
      revision += 1;
      const result = insert.run(request.streamId, revision, event.type, event.data, event.metadata);
      positions.push(Number(result.lastInsertRowid));
    }
    return { ok: { revision, position: positions.at(-1) ?? 0 }, positions };
  };

  parentPort!.on('message', ({ id, batch }: { id: number; batch: WriteRequest[] }) => {
    const outcomes: WriteOutcome[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const request of batch) {
        db.exec('SAVEPOINT write');
        try {
          outcomes.push(write(request));
          db.exec('RELEASE write');
        } catch (error) {
          db.exec('ROLLBACK TO write');
          db.exec('RELEASE write');
          outcomes.push({ failed: error as Error });
        }
      }
      db.exec('COMMIT');
      parentPort!.postMessage({ id, outcomes } satisfies BatchReply);
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      parentPort!.postMessage({ id, failure: error as Error } satisfies BatchReply);
    }
  });
};

/**
 * The store's writes, committed on a thread of their own: the disk sync of one batch no longer stops
 * the event loop, and whatever is written meanwhile goes into the next batch (group commit). One batch
 * is in flight at a time, so batches commit in the order they were asked for.
 */
export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (outcomes: WriteOutcome[]) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | null = null;

  constructor(path: string, busyTimeoutMs: number) {
    this.worker = new Worker(`(${writerThread.toString()})()`, {
      eval: true,
      workerData: { path, busyTimeoutMs },
    });
    this.worker.unref();
    this.worker.on('message', (reply: BatchReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (waiter === undefined) return;
      if ('failure' in reply) waiter.reject(reply.failure);
      else waiter.resolve(reply.outcomes);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) =>
      fail(new Error(`The SQLite writer thread stopped (exit code ${code}).`)),
    );
  }

  /** Commits the batch; resolves with one outcome per write once it is durable. */
  commit(batch: WriteRequest[]): Promise<WriteOutcome[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Held open while a batch is in flight, so that a process awaiting an append does not exit.
      this.worker.ref();
      this.worker.postMessage({ id, batch });
    });
  }

  /** True once the thread failed or stopped: every later commit is refused, so a new one is needed. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Stops the thread; a batch in flight is finished first (its callers get their answers). */
  async close(): Promise<void> {
    while (this.waiting.size > 0 && this.failure === null) {
      await new Promise<void>((resolve) => this.worker.once('message', () => resolve()));
    }
    await this.worker.terminate();
  }
}
