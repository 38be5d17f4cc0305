import type { EventStore, RecordedEvent, Subscription } from './ports/event-store.ts';
import type { ProjectionTarget, ReadModelsBuild } from './ports/read-models.ts';
import { isWrongOrigin, judgeOrigin, type OriginVerdict } from './projections/origin-verdict.ts';
import { completeBuild } from './projections/rebuild.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const catchUpPageSize = 1000;
/** Live events waiting to be applied before the subscription pauses. */
const liveQueueLimit = 5000;

export type ProjectorLog = {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
};

export type ProjectorStatus = {
  running: boolean;
  checkpoint: number;
  restarts: number;
  lastError: string | null;
  /** When the newest event this projector applied happened. */
  lastAppliedAt: string | null;
};

/** What one catch-up (a build, then the pages after it) projected before following live. */
export type CaughtUp = { events: number };

type ProjectedStore = Pick<EventStore, 'subscribeToAll' | 'readAll' | 'storeId' | 'headPosition'>;

/**
 * Feeds the read models from `$all`, starting after their checkpoint. Read models that are not a
 * complete projection of this store (empty, built from another store, beyond its head, half built) are
 * never followed: a fresh set is built up to the store's head and promoted, then followed live; the
 * watchdog checks this again while following. When the target moved on without
 * us (another instance's projector, a rebuild), it resubscribes from the target's checkpoint; when the
 * store fails it retries with back-off. Several projectors may run at once: each event lands once.
 */
export class Projector {
  private readonly events: ProjectedStore;
  private readonly target: ProjectionTarget;
  private readonly log: ProjectorLog;
  private subscription: Subscription | null = null;
  private stopped = true;
  private loop: Promise<void> = Promise.resolve();
  private readonly state: ProjectorStatus = {
    running: false,
    checkpoint: 0,
    restarts: 0,
    lastError: null,
    lastAppliedAt: null,
  };

  /** How often to check that the target still holds what we applied (a restarted Redis without data). */
  private readonly watchdogMs: number;
  private readonly onCaughtUp: (caughtUp: CaughtUp) => void;

  constructor(
    events: ProjectedStore,
    target: ProjectionTarget,
    log: ProjectorLog,
    options: { watchdogMs?: number; onCaughtUp?: (caughtUp: CaughtUp) => void } = {},
  ) {
    this.events = events;
    this.target = target;
    this.log = log;
    this.watchdogMs = options.watchdogMs ?? 1_000;
    this.onCaughtUp = options.onCaughtUp ?? (() => {});
  }

  status(): ProjectorStatus {
    return { ...this.state };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.state.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.loop;
    this.state.running = false;
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (!this.stopped) {
      try {
        await this.followFromCheckpoint();
        backoffMs = 100;
      } catch (error) {
        if (this.stopped) return;
        this.state.lastError = error instanceof Error ? error.message : String(error);
        this.log.error({ err: error, retryInMs: backoffMs }, 'projector failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
      this.state.restarts += 1;
    }
  }

  /** Returns when the target got ahead of us (so we start again from its checkpoint) or on stop. */
  private async followFromCheckpoint(): Promise<void> {
    const verdict = await judgeOrigin(() => this.target.origin(), this.events);
    let projected = 0;
    if (!verdict.ok) {
      const built = await this.build(verdict);
      if (built === null) return;
      projected += built;
    }
    let previous = await this.target.checkpoint();
    this.state.checkpoint = previous;
    this.log.info({ checkpoint: previous }, 'projector catching up');
    // Catch up a page at a time, then follow live one event at a time.
    for (;;) {
      if (this.stopped) return;
      const page = await this.events.readAll(previous, catchUpPageSize);
      const last = page.at(-1);
      if (last === undefined) break;
      const outcome = await this.target.applyBatch(page, previous);
      if (outcome === 'behind') return;
      projected += page.length;
      previous = last.position;
      this.state.checkpoint = previous;
      if (outcome === 'applied') this.state.lastAppliedAt = last.metadata.occurredAt;
      // A store that answers synchronously (SQLite) would otherwise hold the event loop for the whole
      // catch-up: let requests (/healthz) in between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.onCaughtUp({ events: projected });
    // Stopped during the last catch-up read (or by onCaughtUp): a subscription made now would never be stopped.
    if (this.stopped) return;
    this.log.info({ checkpoint: previous }, 'projector caught up; following live');
    // Live: the subscription only queues; one drain loop applies whatever has queued up as one batch,
    // so a burst of appends costs a few round trips instead of two per event.
    let ended = false;
    let failure: unknown = null;
    const queue: RecordedEvent[] = [];
    let wakeDrain: () => void = () => {};
    const subscription = this.events.subscribeToAll(previous, async (event: RecordedEvent) => {
      queue.push(event);
      wakeDrain();
      while (queue.length >= liveQueueLimit && !ended && !this.stopped) await pause(5);
    });
    const end = () => {
      ended = true;
      wakeDrain();
      void subscription.stop();
    };
    const drain = async () => {
      while (!ended && !this.stopped) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => (wakeDrain = resolve));
          continue;
        }
        const batch = queue.splice(0, queue.length);
        const last = batch.at(-1) as RecordedEvent;
        const outcome = await this.target.applyBatch(batch, previous);
        if (outcome === 'behind') return end();
        previous = last.position;
        this.state.checkpoint = previous;
        if (outcome === 'applied') this.state.lastAppliedAt = last.metadata.occurredAt;
      }
    };
    const draining = drain().catch((error: unknown) => {
      failure = error;
      end();
    });
    this.subscription = subscription;
    const watchdog = setInterval(() => {
      // What was applied before the read: batches applied while it is answered move `previous` past it.
      const expected = previous;
      judgeOrigin(() => this.target.origin(), this.events).then(
        (verdict) => {
          if (ended) return;
          if (!verdict.ok) {
            this.logVerdict(verdict);
            return end();
          }
          if (verdict.origin.checkpoint >= expected) return;
          this.log.error(
            { checkpoint: verdict.origin.checkpoint, expected },
            'read models lost data; projecting again',
          );
          end();
        },
        () => {},
      );
    }, this.watchdogMs);
    try {
      await subscription.done.finally(() => {
        ended = true;
        wakeDrain();
      });
      await draining;
    } finally {
      clearInterval(watchdog);
    }
    if (failure !== null) throw failure;
  }

  /**
   * Builds a complete set for this store and promotes it: resumes an unfinished build of this store,
   * else starts one up to the head now. Read models found wrong are rejected first, so no instance
   * answers from them meanwhile. The number of events it projected; null when the build did not end
   * promoted (stopped, taken over).
   */
  private async build(verdict: Extract<OriginVerdict, { ok: false }>): Promise<number | null> {
    this.logVerdict(verdict);
    if (isWrongOrigin(verdict) && verdict.setId !== null) await this.target.reject(verdict.setId);
    let build: ReadModelsBuild | null = await this.target.unfinishedBuild();
    if (build !== null) {
      const unfinished = await judgeOrigin(() => (build as ReadModelsBuild).origin(), this.events);
      if (unfinished.ok || unfinished.problem !== 'incomplete') build = null;
    }
    build ??= await this.target.startBuild(verdict.storeId, await this.events.headPosition());
    const origin = await build.origin();
    this.log.info(
      { storeId: verdict.storeId, from: await build.checkpoint(), target: origin?.target },
      'building read models from the event store',
    );
    const outcome = await completeBuild(this.events, build, {
      stopped: () => this.stopped,
      onProgress: (progress) => {
        this.state.checkpoint = progress.position;
      },
    });
    if (outcome.promoted) this.log.info({ position: outcome.position }, 'read models built and promoted');
    // Taken over by another projector (or lost with Redis): look again shortly, from what is there then.
    else if (!this.stopped) await pause(100);
    return outcome.promoted ? outcome.applied : null;
  }

  private logVerdict(verdict: Extract<OriginVerdict, { ok: false }>): void {
    const details = {
      problem: verdict.problem,
      storeId: verdict.storeId,
      readModelsStoreId: verdict.readModelsStoreId,
    };
    if (isWrongOrigin(verdict)) this.log.error(details, `read models rejected: ${verdict.detail}`);
    else this.log.info(details, verdict.detail);
  }
}
