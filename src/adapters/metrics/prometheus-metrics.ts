import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EventStore } from '../../application/ports/event-store.ts';
import type { Notification, Notifier } from '../../application/ports/notifier.ts';
import type { OriginVerdict } from '../../application/projections/origin-verdict.ts';

export type LoginOutcome =
  | 'authenticated'
  | 'second-factor-required'
  | 'enrollment-required'
  | 'rejected'
  | 'locked-out';

/** What the projection gauges read when Prometheus scrapes. */
export type ProjectionProbe = {
  name: string;
  /** Position of the last event applied here, or of the read models when another instance projects. */
  checkpoint: () => Promise<number>;
  head: () => Promise<number>;
  /** When the newest applied event happened (for the lag in seconds), or null. */
  lastAppliedAt: () => string | null;
  leader: () => boolean;
};

const entry = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
};

/** One registry per service instance, so several services in one process (tests) do not collide. */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds = new Histogram({
    name: 'second_factor_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: 'second_factor_login_outcomes_total',
    help: 'Login steps by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly securityEvents = new Counter({
    name: 'second_factor_security_events_total',
    help: 'Enrolments, disables, support resets, lock-outs and policy changes',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly appendSeconds = new Histogram({
    name: 'second_factor_event_store_append_duration_seconds',
    help: 'Event store append latency',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  private readonly originMismatch = new Gauge({
    name: 'second_factor_read_models_origin_mismatch',
    help: '1 while the read models do not answer for this event store: problem, its id and theirs',
    labelNames: ['problem', 'store_id', 'read_models_store_id'],
    registers: [this.registry],
  });
  private readonly passwordHashesWaiting = new Gauge({
    name: 'second_factor_password_hash_queue_length',
    help: 'Password hashes and verifications waiting for their turn',
    registers: [this.registry],
  });
  private readonly passwordHashesRunning = new Gauge({
    name: 'second_factor_password_hashes_running',
    help: 'Password hashes and verifications running now',
    registers: [this.registry],
  });
  private readonly passwordHashWaitSeconds = new Histogram({
    name: 'second_factor_password_hash_queue_wait_seconds',
    help: 'How long a password hash or verification waited for its turn before it started',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly passwordHashRefusals = new Counter({
    name: 'second_factor_password_hash_refused_total',
    help: 'Password hashes and verifications refused with 503 busy, by reason (queue-full, deadline)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(projections: ProjectionProbe[]) {
    collectDefaultMetrics({ register: this.registry, prefix: 'second_factor_' });
    new Gauge({
      name: 'second_factor_projection_lag_events',
      help: 'Events in the store not yet in the read models',
      labelNames: ['projection'],
      registers: [this.registry],
      async collect() {
        for (const probe of projections) {
          const [head, checkpoint] = await Promise.all([probe.head(), probe.checkpoint()]);
          this.set({ projection: probe.name }, Math.max(0, head - checkpoint));
        }
      },
    });
    new Gauge({
      name: 'second_factor_projection_lag_seconds',
      help: 'Age of the newest event this instance applied when it applied it last',
      labelNames: ['projection'],
      registers: [this.registry],
      collect() {
        for (const probe of projections) {
          const at = probe.lastAppliedAt();
          this.set(
            { projection: probe.name },
            at === null ? 0 : Math.max(0, (Date.now() - Date.parse(at)) / 1000),
          );
        }
      },
    });
    new Gauge({
      name: 'second_factor_projector_leader',
      help: '1 when this instance holds the projector lease',
      labelNames: ['projection'],
      registers: [this.registry],
      collect() {
        for (const probe of projections) this.set({ projection: probe.name }, probe.leader() ? 1 : 0);
      },
    });
  }

  /** Label children by route, method and status, resolved once each: a request only looks them up. */
  private readonly requestChildren = new Map<
    string,
    Map<string, Map<number, { observe(v: number): void }>>
  >();

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const byMethod = entry(this.requestChildren, route, () => new Map());
    const byStatus = entry(byMethod, method, () => new Map());
    entry(byStatus, status, () =>
      this.requestSeconds.labels({ route, method, status: String(status) }),
    ).observe(seconds);
  }

  /** The gauge shows the latest verdict only: one series at 1 while not serving, none when serving. */
  readModelsOrigin(verdict: OriginVerdict): void {
    this.originMismatch.reset();
    if (verdict.ok) return;
    this.originMismatch.set(
      {
        problem: verdict.problem,
        store_id: verdict.storeId,
        read_models_store_id: verdict.readModelsStoreId ?? 'none',
      },
      1,
    );
  }

  loginOutcome(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Watches the queue in front of the password hasher (the shape of BoundedPasswordHasher's observer). */
  passwordHashObserver() {
    return {
      queueChanged: (waiting: number, running: number) => {
        this.passwordHashesWaiting.set(waiting);
        this.passwordHashesRunning.set(running);
      },
      started: (waitedSeconds: number) => this.passwordHashWaitSeconds.observe(waitedSeconds),
      refused: (reason: 'queue-full' | 'deadline') => this.passwordHashRefusals.inc({ reason }),
    };
  }

  /** Counts each notification by type, then passes it on. */
  countingNotifier(inner: Notifier): Notifier {
    return {
      notify: (notification: Notification) => {
        this.securityEvents.inc({ type: notification.type });
        inner.notify(notification);
      },
    };
  }

  /** Times appends; everything else goes straight through. */
  timedEventStore(inner: EventStore): EventStore {
    const appendSeconds = this.appendSeconds;
    return {
      append: async (streamId, events, expected) => {
        const stop = appendSeconds.startTimer();
        try {
          return await inner.append(streamId, events, expected);
        } finally {
          stop();
        }
      },
      readStream: (streamId) => inner.readStream(streamId),
      readStreamAfter: (streamId, afterRevision) => inner.readStreamAfter(streamId, afterRevision),
      readSnapshot: (streamId) => inner.readSnapshot(streamId),
      readFromSnapshot: (streamId) => inner.readFromSnapshot(streamId),
      writeSnapshot: (snapshot) => inner.writeSnapshot(snapshot),
      readAll: (after, limit) => inner.readAll(after, limit),
      subscribeToAll: (after, handler) => inner.subscribeToAll(after, handler),
      headPosition: () => inner.headPosition(),
      storeId: () => inner.storeId(),
      ping: () => inner.ping(),
      close: () => inner.close(),
    };
  }
}
