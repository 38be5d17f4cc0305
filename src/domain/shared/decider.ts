import type { z } from 'zod';

/** An event as a decider produces it; the application adds metadata when it is appended. */
export type DomainEvent<Type extends string = string, Data = unknown> = {
  readonly type: Type;
  readonly data: Data;
};

/**
 * How an aggregate's state is kept in a snapshot. Raise `schemaVersion` whenever the state's shape or
 * what `evolve` makes of any event changes: snapshots of another version are ignored, never upcast.
 */
export type SnapshotFormat<State> = { schemaVersion: number; schema: z.ZodType<State> };

/** An aggregate as three plain functions (Emmett's decider), and how to snapshot it, when it may be. */
export type Decider<Command, Event extends DomainEvent, State> = {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  snapshot?: SnapshotFormat<State>;
};
