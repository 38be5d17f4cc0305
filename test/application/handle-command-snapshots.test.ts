import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { verifyStream } from '../../src/application/audit-chain/verify-chain.ts';
import { foldStream, type HandleOptions, handleCommand } from '../../src/application/handle-command.ts';
import { snapshotEvery } from '../../src/application/load-aggregate.ts';
import type { EventStore, StreamSnapshot } from '../../src/application/ports/event-store.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { type UserSecurityCommand, userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { commandDeps } from './command-deps.ts';

const userId = 'u1';
const stream = userSecurityStream(userId);
const self = { id: userId, role: 'member' as const };
const context = { actor: self, correlationId: 'c1' };
const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };
const now = '2026-11-26T10:00:00.000Z';

/** A store that counts what the handler reads, and can be told to fail snapshot writes. */
class WatchedStore extends MemoryEventStore {
  fullReads = 0;
  tailReads: { afterRevision: number; events: number }[] = [];
  fromSnapshotReads: { snapshotRevision: number | null; events: number }[] = [];
  failSnapshotWrites = false;

  override async readStream(streamId: string) {
    this.fullReads += 1;
    return super.readStream(streamId);
  }

  override async readStreamAfter(streamId: string, afterRevision: number) {
    const events = await super.readStreamAfter(streamId, afterRevision);
    this.tailReads.push({ afterRevision, events: events.length });
    return events;
  }

  override async readFromSnapshot(streamId: string) {
    const read = await super.readFromSnapshot(streamId);
    this.fromSnapshotReads.push({
      snapshotRevision: read.snapshot?.revision ?? null,
      events: read.events.length,
    });
    return read;
  }

  override async writeSnapshot(snapshot: StreamSnapshot) {
    if (this.failSnapshotWrites) throw new Error('snapshot store down');
    return super.writeSnapshot(snapshot);
  }
}

const enrolment: UserSecurityCommand[] = [
  { type: 'StartTotpEnrollment', userId, enrollmentId: 'e1', secret, now, actor: self },
  {
    type: 'ConfirmTotpEnrollment',
    userId,
    enrollmentId: 'e1',
    check: { valid: true, timeStep: 0 },
    recoveryCodeHashes: Array.from({ length: 10 }, (_, n) => `hash-${n}`),
    now,
    actor: self,
  },
];
/** A login with a fresh code: one `SecondFactorVerified` each. */
const login = (timeStep: number): UserSecurityCommand => ({
  type: 'VerifySecondFactor',
  userId,
  check: { method: 'totp', valid: true, timeStep },
  now,
  actor: self,
});

/** An enrolled user who logged in `logins` times (steps 1…logins); the stream has 3 + logins events. */
const userWithLogins = async (store: EventStore, logins: number, options: HandleOptions = {}) => {
  const deps = commandDeps(store);
  const run = (command: UserSecurityCommand, later: HandleOptions = options) =>
    handleCommand(deps, userSecurityDecider, stream, () => command, context, later);
  for (const command of enrolment) await run(command);
  for (let step = 1; step <= logins; step += 1) await run(login(step));
  return run;
};

describe('handleCommand with snapshots', () => {
  it(`writes a snapshot once ${snapshotEvery} events came after the last one, and then reads only the events after it`, async () => {
    const store = new WatchedStore();
    const run = await userWithLogins(store, 2 * snapshotEvery + 20);
    const kept = await store.readSnapshot(stream);
    expect(kept?.revision).toBe(2 * snapshotEvery - 1);
    expect(kept?.schemaVersion).toBe(userSecurityDecider.snapshot?.schemaVersion);

    store.tailReads = [];
    store.fromSnapshotReads = [];
    const outcome = await run(login(10_000));
    expect(outcome.newEvents.map((event) => event.type)).toEqual(['SecondFactorVerified']);
    expect(store.fromSnapshotReads).toEqual([{ snapshotRevision: 2 * snapshotEvery - 1, events: 24 }]);
    expect(store.tailReads).toEqual([]);
    expect(store.fullReads).toBe(0);
    expect(outcome.state).toEqual(foldStream(userSecurityDecider, await store.readStream(stream)));
  });

  it('still refuses a replayed code that only the snapshot remembers', async () => {
    const store = new MemoryEventStore();
    const run = await userWithLogins(store, 4, { snapshotEvery: 7 });
    expect((await store.readSnapshot(stream))?.revision).toBe(6);
    const replay = await run(login(4));
    expect(replay.newEvents).toMatchObject([
      { type: 'SecondFactorRejected', data: { reason: 'code-already-used' } },
    ]);
  });

  it('links the next event to the one the snapshot covers when no event came after it', async () => {
    const store = new MemoryEventStore();
    const run = await userWithLogins(store, 4, { snapshotEvery: 7 });
    const [covered] = await store.readStreamAfter(stream, 5);
    expect((await store.readSnapshot(stream))?.revision).toBe(covered?.revision);
    await run(login(5));
    const [next] = await store.readStreamAfter(stream, 6);
    expect(next?.metadata.previousHash).toBe(covered?.metadata.hash);
    expect((await verifyStream(store, stream)).broken).toEqual([]);
  });

  it('ignores a snapshot of another schema version, folds from the start, and replaces it at the next append', async () => {
    const store = new WatchedStore();
    const run = await userWithLogins(store, 10);
    const [newest] = (await store.readStream(stream)).slice(-1);
    await store.writeSnapshot({
      streamId: stream,
      revision: 12,
      schemaVersion: 999,
      state: { coveredEventId: newest?.metadata.eventId, aggregate: { from: 'a future version' } },
    });
    store.tailReads = [];
    const outcome = await run(login(11), { snapshotEvery: 5 });
    expect(store.tailReads).toEqual([{ afterRevision: -1, events: 13 }]);
    expect(outcome.newEvents).toMatchObject([{ type: 'SecondFactorVerified' }]);
    const kept = await store.readSnapshot(stream);
    expect(kept).toMatchObject({ revision: 13, schemaVersion: userSecurityDecider.snapshot?.schemaVersion });
    expect(kept?.state).toMatchObject({ aggregate: outcome.state });
  });

  it('answers the command when the snapshot cannot be written, and writes it with a later command', async () => {
    const store = new WatchedStore();
    store.failSnapshotWrites = true;
    const run = await userWithLogins(store, 10, { snapshotEvery: 5 });
    expect(await store.readStream(stream)).toHaveLength(13);
    expect(await store.readSnapshot(stream)).toBeNull();
    store.failSnapshotWrites = false;
    await run(login(11), { snapshotEvery: 5 });
    expect((await store.readSnapshot(stream))?.revision).toBe(13);
  });

  it('keeps optimistic concurrency: of two logins with one code read at the same revision, one succeeds', async () => {
    const store = new MemoryEventStore();
    const run = await userWithLogins(store, 6, { snapshotEvery: 4 });
    const outcomes = await Promise.all([run(login(7)), run(login(7))]);
    const verified = outcomes
      .flatMap((outcome) => outcome.newEvents)
      .filter((e) => e.type === 'SecondFactorVerified');
    expect(verified).toHaveLength(1);
    expect((await verifyStream(store, stream)).broken).toEqual([]);
  });
});
