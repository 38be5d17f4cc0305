import { auditCheckpointStream, type StoreCheckpoint } from '../../domain/audit/events.ts';
import type { CommandContext } from '../command-context.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { stampFor } from '../handle-command.ts';
import { ConcurrencyError, type RecordedEvent } from '../ports/event-store.ts';
import { type Signed, signCheckpoint } from './checkpoints.ts';
import { chainEvents } from './hash-chain.ts';
import { advanceTo, HistoryDigest } from './history-digest.ts';

export type CheckpointDeps = Pick<
  ApplicationDeps,
  'events' | 'clock' | 'ids' | 'vault' | 'notifier' | 'auditSigner'
>;

export type CheckpointOutcome = { signed: Signed<StoreCheckpoint>; position: number };

const appendAttempts = 5;

/**
 * Signs checkpoints of the store and keeps each one in it (stream `audit-checkpoints`). It keeps a
 * running digest, so a checkpoint reads only the events since the one before; calls run one at a time.
 */
export class AuditCheckpointer {
  private readonly deps: CheckpointDeps;
  private digest = new HistoryDigest();
  /** The newest position of an event that is not itself a checkpoint. */
  private lastChange = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: CheckpointDeps) {
    this.deps = deps;
  }

  /** A signed checkpoint of everything up to the current head, appended after it. */
  async checkpoint(context: CommandContext): Promise<CheckpointOutcome> {
    const outcome = await this.serially(() => this.sign(context, false));
    if (outcome === null) throw new Error('a checkpoint on demand is never skipped');
    return outcome;
  }

  /** The same for the periodic run: null, and nothing written, when only checkpoints came since the last one. */
  checkpointIfChanged(context: CommandContext): Promise<CheckpointOutcome | null> {
    return this.serially(() => this.sign(context, true));
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sign(context: CommandContext, onlyIfChanged: boolean): Promise<CheckpointOutcome | null> {
    const { events, clock, auditSigner, notifier } = this.deps;
    const head = await events.headPosition();
    // A store that changed under the running digest (restored, cut, rewritten) is read again from the start.
    if (!(await this.digestStillHolds(head))) {
      this.digest = new HistoryDigest();
      this.lastChange = 0;
    }
    await advanceTo(events, this.digest, head, (event) => {
      if (event.streamId !== auditCheckpointStream) this.lastChange = event.position;
    });
    const history = await events.readStream(auditCheckpointStream);
    const previous = history.at(-1)?.data as { checkpoint?: { position?: number } } | undefined;
    // An empty store has nothing to prove yet: the first periodic checkpoint waits for its first event.
    if (onlyIfChanged && this.lastChange <= (previous?.checkpoint?.position ?? 0)) return null;
    const at = clock.now().toISOString();
    const signed = signCheckpoint(auditSigner, {
      kind: 'store',
      version: 1,
      storeId: await events.storeId(),
      position: this.digest.position,
      eventCount: this.digest.eventCount,
      lastEventHash: this.digest.lastEventHash,
      headsDigest: this.digest.headsDigest(),
      streamCount: this.digest.streamCount,
      at,
      keyId: auditSigner.keyId,
    } satisfies StoreCheckpoint);
    const position = await this.keep(signed, context, history.at(-1));
    notifier.notify({ type: 'audit-checkpoint-signed', occurredAt: at, auditCheckpoint: signed });
    return { signed, position };
  }

  /** Whether the newest event the digest has seen is still there, at its place and with its hash. */
  private async digestStillHolds(head: number): Promise<boolean> {
    if (this.digest.position === 0) return true;
    if (this.digest.position > head) return false;
    const [newest] = await this.deps.events.readAll(this.digest.position - 1, 1);
    return (
      newest?.position === this.digest.position &&
      (newest.metadata.hash ?? null) === this.digest.lastEventHash
    );
  }

  /** Appends the checkpoint to its stream, after whatever another instance appended meanwhile. */
  private async keep(
    signed: Signed<StoreCheckpoint>,
    context: CommandContext,
    knownLast: RecordedEvent | undefined,
  ): Promise<number> {
    const { events } = this.deps;
    const stamped = (await stampFor(this.deps, context))({ type: 'AuditCheckpointSigned', data: signed });
    let last = knownLast;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await events.append(
          auditCheckpointStream,
          chainEvents(auditCheckpointStream, last, [stamped]),
          last === undefined ? 'no-stream' : last.revision,
        );
        return result.position;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= appendAttempts) throw error;
        last = (await events.readStream(auditCheckpointStream)).at(-1);
      }
    }
  }
}
