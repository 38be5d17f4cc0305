import { describe, expect, it } from 'vitest';
import type { Decider } from '../../src/domain/shared/decider.ts';
import { DomainError } from '../../src/domain/shared/domain-error.ts';
import { spec } from './spec.ts';

type Event = { type: 'Counted'; data: { n: number } };
/** A counter that refuses to go past 2. */
const counter: Decider<{ type: 'Count' }, Event, number> = {
  initialState: () => 0,
  decide: (_command, state) => {
    if (state >= 2) throw new DomainError('invalid-command', 'Enough.');
    return [{ type: 'Counted', data: { n: state + 1 } }];
  },
  evolve: (_state, event) => event.data.n,
};
const counted = (n: number): Event => ({ type: 'Counted', data: { n } });

describe('the spec helper', () => {
  it('folds the given events and compares the decided ones', () => {
    spec(counter)
      .given([counted(1)])
      .when({ type: 'Count' })
      .then([counted(2)]);
    expect(() =>
      spec(counter)
        .given([])
        .when({ type: 'Count' })
        .then([counted(2)]),
    ).toThrow();
  });

  it('thenFails passes only for a DomainError with that code', () => {
    spec(counter)
      .given([counted(1), counted(2)])
      .when({ type: 'Count' })
      .thenFails('invalid-command');
    expect(() => spec(counter).given([]).when({ type: 'Count' }).thenFails('invalid-command')).toThrow();
    expect(() =>
      spec(counter)
        .given([counted(2)])
        .when({ type: 'Count' })
        .thenFails('not-permitted'),
    ).toThrow();
  });
});
