import type { CommandHandlerDeps } from '../../src/application/handle-command.ts';
import type { EventStore } from '../../src/application/ports/event-store.ts';

/**
 * What `handleCommand` needs besides the store, for commands without a request origin: a fixed clock,
 * counted ids, and a vault that must not be asked (nothing is sealed for such commands).
 */
export const commandDeps = (events: EventStore): CommandHandlerDeps => {
  let id = 0;
  const unused = () => Promise.reject(new Error('the vault is not used by commands without an origin'));
  return {
    events,
    clock: { now: () => new Date('2026-11-26T10:00:00.000Z') },
    ids: {
      next: () => {
        id += 1;
        return `event-${id}`;
      },
    },
    vault: { seal: unused, open: unused, erase: unused },
  };
};
