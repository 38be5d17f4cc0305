import type { AppendResult, EventToAppend, ExpectedRevision } from '../../application/ports/event-store.ts';

/** An append waiting for the transaction that commits it together with the others queued meanwhile. */
export type PendingAppend = {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
};

/** What one append of a committed batch came to: its own result, or its own error (a conflict). */
export type AppendOutcome = { result: AppendResult } | { error: unknown };

/** Once the batch committed: settles each append with its outcome (in the same order). */
export const settleAppends = (batch: readonly PendingAppend[], outcomes: readonly AppendOutcome[]): void => {
  batch.forEach((append, index) => {
    const outcome = outcomes[index];
    if (outcome !== undefined && 'result' in outcome) append.resolve(outcome.result);
    else append.reject(outcome?.error);
  });
};
