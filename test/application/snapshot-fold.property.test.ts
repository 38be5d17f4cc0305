import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { verifyStream } from '../../src/application/audit-chain/verify-chain.ts';
import { foldStream, handleCommand } from '../../src/application/handle-command.ts';
import { loadAggregate } from '../../src/application/load-aggregate.ts';
import type { EventStore, StreamSnapshot } from '../../src/application/ports/event-store.ts';
import { isDomainError } from '../../src/domain/shared/domain-error.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { totpAlgorithms } from '../../src/domain/user-security/totp-parameters.ts';
import { historyArb } from '../domain/user-security-commands.ts';
import { commandDeps } from './command-deps.ts';

const stream = userSecurityStream('u1');
const context = { actor: { id: 'u1', role: 'member' as const }, correlationId: 'c1' };
/** The same aggregate with no snapshot format: every command folds the whole stream, as before snapshots. */
const withoutSnapshots = { ...userSecurityDecider, snapshot: undefined };

/** What a command did: its events, the state and revision after it, or the domain error it threw. */
const outcomeOf = async (run: Promise<{ newEvents: unknown[]; state: unknown; revision: number | null }>) => {
  try {
    const { newEvents, state, revision } = await run;
    return { newEvents, state, revision };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return { error: error.code };
  }
};

/** Every string in a JSON value: what a snapshot could hold that an erasure has to reach. */
const stringsIn = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(stringsIn);
};

const fullFold = async (store: EventStore) => foldStream(userSecurityDecider, await store.readStream(stream));

describe('snapshots never change a decision (any history of user-security commands)', () => {
  // The last check: a snapshot holds no text that is not in the events (secrets sealed as there), so
  // crypto-shredding reaches it as it reaches them.
  it('decides every command as a full fold would, with a state from snapshot + tail equal to the full fold', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb(20, 250), fc.integer({ min: 1, max: 8 }), async (commands, every) => {
        const snapshotted = new MemoryEventStore();
        const reference = new MemoryEventStore();
        const [toSnapshotted, toReference] = [commandDeps(snapshotted), commandDeps(reference)];
        for (const command of commands) {
          const handled = await outcomeOf(
            handleCommand(toSnapshotted, userSecurityDecider, stream, () => command, context, {
              snapshotEvery: every,
            }),
          );
          const folded = await outcomeOf(
            handleCommand(toReference, withoutSnapshots, stream, () => command, context),
          );
          expect(handled).toEqual(folded);
          expect((await loadAggregate(snapshotted, userSecurityDecider, stream)).state).toEqual(
            await fullFold(snapshotted),
          );
        }
        const events = await snapshotted.readStream(stream);
        if (events.length >= every) {
          const kept = await snapshotted.readSnapshot(stream);
          expect(kept?.revision).toBeGreaterThan(events.length - 1 - every);
          expect((await loadAggregate(snapshotted, userSecurityDecider, stream)).snapshotRevision).toBe(
            kept?.revision,
          );
        }
        expect((await verifyStream(snapshotted, stream)).broken).toEqual([]);
        const kept = await snapshotted.readSnapshot(stream);
        const recorded = new Set(events.flatMap((event) => stringsIn(event.data)));
        // The algorithm of a native enrolment is the service's default, a name of its own, not a person's data.
        const vocabulary = new Set<string>(totpAlgorithms);
        for (const text of stringsIn((kept?.state as { aggregate?: unknown } | undefined)?.aggregate))
          expect(recorded.has(text) || vocabulary.has(text), text).toBe(true);
      }),
      { numRuns: 50 },
    );
  }, 120_000);

  const corruptions: Record<string, (kept: StreamSnapshot) => StreamSnapshot> = {
    'another schema version': (kept) => ({ ...kept, schemaVersion: kept.schemaVersion + 1 }),
    'a state that does not parse': (kept) => ({
      ...kept,
      state: { ...(kept.state as object), aggregate: { consecutiveFailures: 'many' } },
    }),
    'a bare state without the event it covers': (kept) => ({
      ...kept,
      state: (kept.state as { aggregate: unknown }).aggregate,
    }),
    'a revision whose event is another one': (kept) => ({ ...kept, revision: kept.revision - 1 }),
    'a revision beyond the stream': (kept) => ({ ...kept, revision: kept.revision + 3 }),
  };

  it('ignores a snapshot of another version, of a state that does not parse, or of another history', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb(5, 60),
        fc.constantFrom(...Object.keys(corruptions)),
        async (commands, corruption) => {
          const store = new MemoryEventStore();
          const deps = commandDeps(store);
          for (const command of commands) {
            await outcomeOf(
              handleCommand(deps, userSecurityDecider, stream, () => command, context, {
                snapshotEvery: 2,
              }),
            );
          }
          const kept = await store.readSnapshot(stream);
          fc.pre(kept !== null && kept.revision > 0);
          if (kept === null) return;
          const corrupted = corruptions[corruption]?.(kept) ?? kept;
          const loaded = await loadAggregate(
            {
              readStreamAfter: (id, after) => store.readStreamAfter(id, after),
              // As a store answers: the events from the (corrupted) snapshot's revision on.
              readFromSnapshot: async (id) => ({
                snapshot: corrupted,
                events: await store.readStreamAfter(id, corrupted.revision - 1),
              }),
            },
            userSecurityDecider,
            stream,
          );
          expect(loaded.snapshotRevision).toBe(-1);
          expect(loaded.state).toEqual(await fullFold(store));
          expect(loaded.last).toEqual((await store.readStream(stream)).at(-1));
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});
