/** An event as a decider produces it; the application adds metadata when it is appended. */
export type DomainEvent<Type extends string = string, Data = unknown> = {
  readonly type: Type;
  readonly data: Data;
};

/** An aggregate as three plain functions (Emmett's decider). */
export type Decider<Command, Event extends DomainEvent, State> = {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
};
