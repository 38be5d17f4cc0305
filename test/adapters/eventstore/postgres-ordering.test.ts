import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryReadModels } from '../../../src/adapters/memory/memory-read-models.ts';
import type { RecordedEvent } from '../../../src/application/ports/event-store.ts';
import type {
  ApplyOutcome,
  ProjectionTarget,
  ReadModelsBuild,
} from '../../../src/application/ports/read-models.ts';
import { Projector } from '../../../src/application/projector.ts';
import { anEvent, uniqueStream } from '../../support/events.ts';
import { noPostgresReason, postgresAnswers, privateStores } from '../../support/postgres.ts';

if (!postgresAnswers) console.warn(`PostgreSQL ordering test ${noPostgresReason}`);

/** A real event, so that the read models the projector feeds accept it. */
const officeRegistered = (name: string) => anEvent({ officeId: randomUUID(), name });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the positions a set applied, in the order it applied them. */
const recordApplied = async (
  applied: number[],
  events: RecordedEvent[],
  outcome: Promise<ApplyOutcome>,
): Promise<ApplyOutcome> => {
  const result = await outcome;
  if (result === 'applied') applied.push(...events.map((event) => event.position));
  return result;
};

const recordingBuild = (build: ReadModelsBuild, applied: number[]): ReadModelsBuild => ({
  origin: () => build.origin(),
  promote: () => build.promote(),
  checkpoint: () => build.checkpoint(),
  apply: (event, previous) => recordApplied(applied, [event], build.apply(event, previous)),
  applyBatch: (events, previous) => recordApplied(applied, events, build.applyBatch(events, previous)),
});

/** In-memory read models that also record every position applied, by a build or live. */
class RecordingTarget implements ProjectionTarget {
  readonly applied: number[] = [];
  private readonly inner = new MemoryReadModels();

  apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    return recordApplied(this.applied, [event], this.inner.apply(event, previousPosition));
  }

  applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    return recordApplied(this.applied, events, this.inner.applyBatch(events, previousPosition));
  }

  checkpoint(): Promise<number> {
    return this.inner.checkpoint();
  }

  origin() {
    return this.inner.origin();
  }

  reject(setId: string): Promise<void> {
    return this.inner.reject(setId);
  }

  async unfinishedBuild(): Promise<ReadModelsBuild | null> {
    const build = await this.inner.unfinishedBuild();
    return build === null ? null : recordingBuild(build, this.applied);
  }

  async startBuild(storeId: string, target: number): Promise<ReadModelsBuild> {
    return recordingBuild(await this.inner.startBuild(storeId, target), this.applied);
  }
}

const quietLog = { info: () => {}, error: () => {} };

describe.skipIf(!postgresAnswers)('PostgreSQL $all order when a transaction commits late', () => {
  let release: () => void = () => {};
  let held: () => void = () => {};
  let holding = false;
  const { open } = privateStores('ordering', { pollMs: 50 });

  it('delivers every position once and in order while one instance holds its append open and others commit', async () => {
    // Three instances on one database: one whose append stays open, one that keeps writing, one that follows.
    const slow = open({
      beforeCommit: async () => {
        if (!holding) return;
        holding = false;
        await new Promise<void>((resolve) => {
          release = resolve;
          held();
        });
      },
    });
    const writer = open();
    const follower = open();
    await writer.append(uniqueStream('before'), [officeRegistered('before')], 'no-stream');

    const delivered: number[] = [];
    const subscription = follower.subscribeToAll(0, (event) => void delivered.push(event.position));
    const target = new RecordingTarget();
    const projector = new Projector(follower, target, quietLog, { watchdogMs: 100 });
    projector.start();

    const isHeld = new Promise<void>((resolve) => {
      held = resolve;
    });
    holding = true;
    const slowAppend = slow.append(uniqueStream('slow'), [officeRegistered('slow')], 'no-stream');
    await isHeld;

    // While the slow transaction is open, twenty appends from another instance try to commit.
    const fastAppends = Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        writer.append(uniqueStream('fast'), [officeRegistered(`fast ${n}`)], 'no-stream'),
      ),
    );
    const fastFinished = await Promise.race([fastAppends.then(() => true), pause(1_000).then(() => false)]);
    // Where the others could commit first, give the follower time to read past the open position.
    if (fastFinished) await pause(500);
    release();
    await Promise.all([slowAppend, fastAppends]);

    const head = await writer.headPosition();
    expect(head).toBe(22);
    for (let waited = 0; waited < 100 && (delivered.length < head || target.applied.length < head); waited++)
      await pause(50);
    await subscription.stop();
    await projector.stop();

    const everyPosition = Array.from({ length: head }, (_, index) => index + 1);
    expect(delivered).toEqual(everyPosition);
    expect(target.applied).toEqual(everyPosition);
    const slowPosition = (await follower.readAll(0, 100)).find((event) =>
      event.streamId.startsWith('slow'),
    )?.position;
    expect(delivered).toContain(slowPosition);
  });
});
