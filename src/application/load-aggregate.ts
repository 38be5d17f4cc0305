import { z } from 'zod';
import { parseDomainEvent } from '../domain/events.ts';
import type { Decider, DomainEvent, SnapshotFormat } from '../domain/shared/decider.ts';
import type { EventStore, RecordedEvent } from './ports/event-store.ts';

/** A snapshot is written once this many events came after the one it was folded from. */
export const snapshotEvery = 100;

type Folding<Event extends DomainEvent, State> = Pick<
  Decider<unknown, Event, State>,
  'initialState' | 'evolve' | 'snapshot'
>;

/** Folds a stream with `evolve`, read back through the event schemas. */
export const foldStream = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  recorded: Pick<RecordedEvent, 'type' | 'data'>[],
  from: State = decider.initialState(),
): State =>
  recorded.reduce(
    (state, event) => decider.evolve(state, parseDomainEvent(event.type, event.data) as Event),
    from,
  );

export type LoadedAggregate<State> = {
  state: State;
  /** The stream's revision, null when it does not exist. */
  revision: number | null;
  /** The stream's newest event, which the next appended event links to; undefined for a new stream. */
  last: RecordedEvent | undefined;
  /** The revision the snapshot it started from covers; -1 when folded from the first event. */
  snapshotRevision: number;
};

/**
 * What a snapshot's `state` holds: the aggregate's state and the id of the event it was folded up to.
 * The id ties the snapshot to this very history: a store restored or rewritten under it is not trusted.
 */
const envelopeOf = <State>(format: SnapshotFormat<State>) => {
  let envelope = envelopes.get(format) as Envelope<State> | undefined;
  if (envelope === undefined) {
    envelope = z.object({ coveredEventId: z.string(), aggregate: format.schema });
    envelopes.set(format, envelope);
  }
  return envelope;
};
type Envelope<State> = z.ZodObject<{ coveredEventId: z.ZodString; aggregate: z.ZodType<State> }>;
/** Made once per format: building a zod object and its first parse cost ~35 µs, a later parse ~1 µs. */
const envelopes = new WeakMap<SnapshotFormat<unknown>, Envelope<unknown>>();

/**
 * The aggregate's state as a full fold of its stream would give it, read as its snapshot plus the
 * events after it. A snapshot of another schema version, one whose state does not parse, or one that
 * does not match the stream, is ignored: the whole stream is folded instead.
 */
export const loadAggregate = async <Event extends DomainEvent, State>(
  events: Pick<EventStore, 'readStreamAfter' | 'readFromSnapshot'>,
  decider: Folding<Event, State>,
  streamId: string,
): Promise<LoadedAggregate<State>> => {
  const format = decider.snapshot;
  if (format === undefined) return foldedFromStart(decider, await events.readStreamAfter(streamId, -1));
  const { snapshot, events: fromSnapshot } = await events.readFromSnapshot(streamId);
  if (snapshot === null) return foldedFromStart(decider, fromSnapshot);
  if (snapshot.schemaVersion === format.schemaVersion) {
    const parsed = envelopeOf(format).safeParse(snapshot.state);
    // From the covered event on: it proves the snapshot belongs here, and is the link for the next event.
    const [covered, ...after] = fromSnapshot;
    if (
      parsed.success &&
      covered?.revision === snapshot.revision &&
      covered.metadata.eventId === parsed.data.coveredEventId
    ) {
      const last = fromSnapshot.at(-1);
      return {
        state: foldStream(decider, after, parsed.data.aggregate),
        revision: last?.revision ?? null,
        last,
        snapshotRevision: snapshot.revision,
      };
    }
  }
  return foldedFromStart(decider, await events.readStreamAfter(streamId, -1));
};

const foldedFromStart = <Event extends DomainEvent, State>(
  decider: Folding<Event, State>,
  recorded: RecordedEvent[],
): LoadedAggregate<State> => {
  const last = recorded.at(-1);
  return {
    state: foldStream(decider, recorded),
    revision: last?.revision ?? null,
    last,
    snapshotRevision: -1,
  };
};

/** Where a snapshot ends: the revision and id of the newest event it covers. */
type NewestEvent = { revision: number; metadata: { eventId: string } };

/**
 * Writes a snapshot of `state` at the stream's newest event when `every` events or more came after the
 * snapshot the command started from. A snapshot is a cache: when writing it fails, the command still
 * succeeded, and a later one writes it (the failure is visible in the store's trace span).
 */
export const keepSnapshotWhenDue = async <Event extends DomainEvent, State>(
  events: Pick<EventStore, 'writeSnapshot'>,
  decider: Folding<Event, State>,
  streamId: string,
  loaded: { state: State; last: NewestEvent | undefined; snapshotRevision: number },
  every: number = snapshotEvery,
): Promise<void> => {
  const format = decider.snapshot;
  const { last } = loaded;
  if (format === undefined || last === undefined || last.revision - loaded.snapshotRevision < every) return;
  await events
    .writeSnapshot({
      streamId,
      revision: last.revision,
      schemaVersion: format.schemaVersion,
      state: { coveredEventId: last.metadata.eventId, aggregate: loaded.state },
    })
    .catch(() => {});
};
