import { type EventType, eventSchemas, eventSchemaVersion } from '../domain/events.ts';
import { isPerson } from '../domain/shared/actor.ts';
import type { Decider, DomainEvent } from '../domain/shared/decider.ts';
import { DomainError } from '../domain/shared/domain-error.ts';
import { chainEvents } from './audit-chain/hash-chain.ts';
import type { CommandContext } from './command-context.ts';
import { foldStream, keepSnapshotWhenDue, loadAggregate, snapshotEvery } from './load-aggregate.ts';
import type { Clock } from './ports/clock.ts';
import {
  ConcurrencyError,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
} from './ports/event-store.ts';
import type { Ids } from './ports/ids.ts';
import { originAssociatedData, type PersonalDataVault } from './ports/personal-data-vault.ts';

export type CommandHandlerDeps = { events: EventStore; clock: Clock; ids: Ids; vault: PersonalDataVault };

export type CommandOutcome<Event, State> = {
  /** Events this command appended (empty when the decider had nothing to say). */
  newEvents: Event[];
  /** State after the new events. */
  state: State;
  /** Global position of the last event appended, or null when nothing was appended. */
  position: number | null;
  /** The stream's revision after the command. */
  revision: number | null;
};

export type HandleOptions = {
  /** Extra check on the stream's revision before deciding (HTTP If-Match); throws to refuse. */
  expectRevision?: (revision: number | null) => void;
  maxAttempts?: number;
  /** Events between snapshots (of deciders that have a snapshot format); `snapshotEvery` by default. */
  snapshotEvery?: number;
};

const defaultAttempts = 30;

export { foldStream };

/**
 * Loads the aggregate (its snapshot and the events after it), asks `commandFor(state)` for the command
 * (so code checks and decryption see the state they decide on), decides, and appends at the revision it
 * read. On a conflict it starts over with the newer stream, so two racing commands never both act on the
 * same state. When enough events came after the snapshot it started from, it writes a new one.
 */
export const handleCommand = async <Command, Event extends DomainEvent, State>(
  deps: CommandHandlerDeps,
  decider: Decider<Command, Event, State>,
  streamId: string,
  commandFor: (state: State) => Command | Promise<Command>,
  context: CommandContext,
  options: HandleOptions = {},
): Promise<CommandOutcome<Event, State>> => {
  const attempts = options.maxAttempts ?? defaultAttempts;
  const every = options.snapshotEvery ?? snapshotEvery;
  let stamp: ((event: DomainEvent) => EventToAppend) | undefined;
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadAggregate(deps.events, decider, streamId);
    const { state, revision } = loaded;
    options.expectRevision?.(revision);
    const command = await commandFor(state);
    const newEvents = decider.decide(command, state);
    if (newEvents.length === 0) {
      await keepSnapshotWhenDue(deps.events, decider, streamId, loaded, every);
      return { newEvents, state, position: null, revision };
    }

    const expected: ExpectedRevision = revision === null ? 'no-stream' : revision;
    // Made when there is something to append, and once for every retry.
    stamp ??= await stampFor(deps, context);
    const chained = chainEvents(streamId, loaded.last, newEvents.map(stamp));
    const result = await deps.events.append(streamId, chained, expected).catch((error: unknown) => {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
      return null;
    });
    if (result === null) {
      await pauseBeforeRetry(attempt);
      continue;
    }
    // Folded as a later load folds them: read back through the event schemas.
    const after = foldStream(decider, chained, state);
    const newest = chained.at(-1);
    await keepSnapshotWhenDue(
      deps.events,
      decider,
      streamId,
      {
        state: after,
        snapshotRevision: loaded.snapshotRevision,
        last: newest && { ...newest, revision: result.revision },
      },
      every,
    );
    return { newEvents, state: after, position: result.position, revision: result.revision };
  }
};

/**
 * What gives each event of one command its metadata, ready to append. The request origin is sealed
 * once per command, however many events (or retries) it takes.
 */
export const stampFor = async (
  deps: CommandHandlerDeps,
  context: CommandContext,
): Promise<(event: DomainEvent) => EventToAppend> => {
  const origin = await requestOrigin(deps.vault, context);
  return (event) => {
    const metadata: EventMetadata = {
      eventId: deps.ids.next(),
      occurredAt: deps.clock.now().toISOString(),
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.causationId ?? context.correlationId,
      schemaVersion: eventSchemaVersion[event.type as EventType] ?? 1,
      ...(context.approvedBy === undefined ? {} : { approvedBy: context.approvedBy }),
      ...origin,
    };
    // What is written must read back: an event its own schema refuses would stop every projector.
    const checked = eventSchemas[event.type as EventType]?.safeParse(event.data);
    if (checked === undefined || !checked.success) {
      throw new DomainError('invalid-command', `The command would record an invalid ${event.type} event.`);
    }
    return { type: event.type, data: event.data, metadata };
  };
};

/**
 * Where a request came from (IP, user agent) is personal data of the person who made it: sealed with
 * their data key, so that erasing them erases it. The platform's and the service's own stay readable.
 */
const requestOrigin = async (
  vault: PersonalDataVault,
  context: CommandContext,
): Promise<Pick<EventMetadata, 'origin' | 'clientIp' | 'userAgent'>> => {
  const { clientIp, userAgent, actor } = context;
  if (clientIp === undefined && userAgent === undefined) return {};
  if (!isPerson(actor)) return { clientIp, userAgent };
  const plaintext = JSON.stringify({ clientIp, userAgent });
  return { origin: await vault.seal(actor.id, plaintext, originAssociatedData(actor.id)) };
};

/** A short random pause spreads racing retries out so they do not collide again in lock-step. */
const pauseBeforeRetry = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 * attempt, 20)));
