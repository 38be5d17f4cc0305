import { z } from 'zod';
import { actorSchema } from '../../domain/shared/actor.ts';
import { encryptedSecretSchema } from '../../domain/shared/encrypted-secret.ts';

/** Metadata every stored event carries. `hash`/`previousHash` are filled when events are chained. */
export const eventMetadataSchema = z.object({
  eventId: z.string().min(1),
  occurredAt: z.string().min(1),
  actor: actorSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  /** Under four-eyes: the support agent who approved the action `actor` asked for. */
  approvedBy: actorSchema.optional(),
  schemaVersion: z.number().int().positive(),
  /** Where the request came from: sealed with the acting person's data key (see PersonalDataVault). */
  origin: encryptedSecretSchema.optional(),
  /** The same in plain text: for the platform and the service, and in events written before sealing. */
  clientIp: z.string().optional(),
  userAgent: z.string().optional(),
  hash: z.string().optional(),
  previousHash: z.string().optional(),
});
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

export type EventToAppend = {
  type: string;
  data: unknown;
  metadata: EventMetadata;
};

/** An event as stored: `revision` counts from 0 within its stream, `position` from 1 across all streams. */
export type RecordedEvent = EventToAppend & {
  streamId: string;
  revision: number;
  position: number;
};

/** `no-stream`: the stream must not exist; `any`: no check; a number: the stream's last revision. */
export type ExpectedRevision = 'no-stream' | 'any' | number;

export type AppendResult = {
  /** Revision of the last event appended. */
  revision: number;
  /** Global position of the last event appended. */
  position: number;
};

export class ConcurrencyError extends Error {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | 'no-stream';

  constructor(streamId: string, expected: ExpectedRevision, actual: number | 'no-stream') {
    super(`Stream ${streamId}: expected revision ${expected}, actual ${actual}`);
    this.name = 'ConcurrencyError';
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The store could not be reached or failed; nothing was written by the call that threw it. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/**
 * A cache of an aggregate's state as folded up to `revision` of its stream; `schemaVersion` names the
 * shape of `state`, so a reader can ignore one it does not know. Never the truth: the events are.
 */
export type StreamSnapshot = { streamId: string; revision: number; schemaVersion: number; state: unknown };

export type SubscriptionHandler = (event: RecordedEvent) => Promise<void> | void;

export type Subscription = {
  /** Stops delivery; resolves once the handler is no longer running. */
  stop(): Promise<void>;
  /** Resolves when the subscription ends for good (stopped, or failed with the error). */
  readonly done: Promise<void>;
};

/** A snapshot and the events from the one it covers on; see `EventStore.readFromSnapshot`. */
export type SnapshotAndAfter = { snapshot: StreamSnapshot | null; events: RecordedEvent[] };

export interface EventStore {
  /** Appends atomically, or throws ConcurrencyError when the stream is not at `expected`. */
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** All events of one stream in order; an empty list for a stream that does not exist. */
  readStream(streamId: string): Promise<RecordedEvent[]>;
  /** Events of one stream with a revision greater than `afterRevision`, in order. */
  readStreamAfter(streamId: string, afterRevision: number): Promise<RecordedEvent[]>;
  /** The snapshot last written for the stream, or null. */
  readSnapshot(streamId: string): Promise<StreamSnapshot | null>;
  /**
   * The stream's snapshot (null when it has none) and, read at the same moment, its events from the
   * snapshot's revision on (the event it covers first), or all of them when there is no snapshot: what
   * loading an aggregate needs, in one read where the store allows.
   */
  readFromSnapshot(streamId: string): Promise<SnapshotAndAfter>;
  /** Keeps `snapshot` for its stream when it covers a later revision than the one kept. */
  writeSnapshot(snapshot: StreamSnapshot): Promise<void>;
  /** Up to `limit` events across all streams with a position greater than `after`, in order. */
  readAll(after: number, limit: number): Promise<RecordedEvent[]>;
  /** Delivers every event after `after`, then new ones as they are appended, one at a time in order. */
  subscribeToAll(after: number, handler: SubscriptionHandler): Subscription;
  /** Position of the newest event, 0 when the store is empty. */
  headPosition(): Promise<number>;
  /** Id created once with the store: read models record it to prove which store they came from. */
  storeId(): Promise<string>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
  /** Releases connections and files. */
  close(): Promise<void>;
}
