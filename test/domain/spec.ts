import { expect } from 'vitest';
import type { Decider, DomainEvent } from '../../src/domain/shared/decider.ts';
import { DomainError, type DomainErrorCode } from '../../src/domain/shared/domain-error.ts';

/** Given/when/then over a pure decider: fold `given` with evolve, then run decide. */
export const spec = <Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) => ({
  given: (events: readonly Event[]) => ({
    when: (command: Command) => {
      const state = events.reduce(decider.evolve, decider.initialState());
      const run = (): Event[] => decider.decide(command, state);
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the point; never awaited.
        then: (expected: readonly Event[]): void => {
          expect(run()).toEqual(expected);
        },
        thenFails: (code: DomainErrorCode): void => {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught, `expected DomainError '${code}'`).toBeInstanceOf(DomainError);
          expect((caught as DomainError).code).toBe(code);
        },
        /** The events decided, for checks that do not fit an exact match. */
        events: run,
      };
    },
  }),
});

/** State after folding events, for property tests. */
export const fold = <Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState());
