import { createHash } from 'node:crypto';
import type { StoreCheckpoint } from '../../domain/audit/events.ts';
import type { AuditPublicKey } from '../ports/audit-signer.ts';
import type { EventStore } from '../ports/event-store.ts';
import {
  exportCheckpointSchema,
  type Signed,
  signedCheckpointSchema,
  verifySignature,
} from './checkpoints.ts';
import { advanceTo, HistoryDigest } from './history-digest.ts';

/** What checking one checkpoint found; anything but `intact` fails it. */
export type CheckpointVerdict =
  | 'intact'
  | 'unreadable'
  | 'unknown-key'
  | 'bad-signature'
  | 'other-store'
  /** The history now ends before the checkpoint's position: its tail was cut off. */
  | 'cut-off'
  /** The history up to the position differs: events changed, removed, inserted or re-hashed. */
  | 'rewritten';

export type CheckpointCheck = { name: string; position: number | null; verdict: CheckpointVerdict };

const signedStoreCheckpoint = (value: unknown): Signed<StoreCheckpoint> | null => {
  const parsed = signedCheckpointSchema.safeParse(value);
  if (!parsed.success || parsed.data.checkpoint.kind !== 'store') return null;
  return parsed.data as Signed<StoreCheckpoint>;
};

/**
 * Whether no event at or after `position` is left, judged by the events themselves: a store's head
 * counter (PostgreSQL's `all_head`) is not moved back by deleting rows.
 */
const endsBefore = async (
  events: Pick<EventStore, 'readAll'>,
  digest: HistoryDigest,
  position: number,
): Promise<boolean> => digest.position < position && (await events.readAll(digest.position, 1)).length === 0;

/**
 * Proves the store still holds each checkpoint's history: same store, and up to its position the
 * same number of events, the same last hash and the same newest hash in every stream. One pass.
 */
export const verifyStoreCheckpoints = async (
  events: Pick<EventStore, 'readAll' | 'storeId'>,
  keys: AuditPublicKey[],
  files: { name: string; content: unknown }[],
): Promise<CheckpointCheck[]> => {
  const storeId = await events.storeId();
  const checks: CheckpointCheck[] = [];
  const toWalk: { name: string; signed: Signed<StoreCheckpoint> }[] = [];
  for (const file of files) {
    const signed = signedStoreCheckpoint(file.content);
    if (signed === null) {
      checks.push({ name: file.name, position: null, verdict: 'unreadable' });
      continue;
    }
    const signature = verifySignature(signed, keys);
    const position = signed.checkpoint.position;
    if (signature !== 'valid') checks.push({ name: file.name, position, verdict: signature });
    else if (signed.checkpoint.storeId !== storeId)
      checks.push({ name: file.name, position, verdict: 'other-store' });
    else toWalk.push({ name: file.name, signed });
  }
  const digest = new HistoryDigest();
  for (const { name, signed } of toWalk.sort(
    (a, b) => a.signed.checkpoint.position - b.signed.checkpoint.position,
  )) {
    const expected = signed.checkpoint;
    await advanceTo(events, digest, expected.position);
    const same =
      digest.eventCount === expected.eventCount &&
      digest.lastEventHash === expected.lastEventHash &&
      digest.headsDigest() === expected.headsDigest;
    const verdict: CheckpointVerdict = same
      ? 'intact'
      : (await endsBefore(events, digest, expected.position))
        ? 'cut-off'
        : 'rewritten';
    checks.push({ name, position: expected.position, verdict });
  }
  const order = new Map(files.map((file, index) => [file.name, index]));
  return checks.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
};

export type ExportVerdict = 'intact' | 'no-checkpoint' | 'unknown-key' | 'bad-signature' | 'altered';

/**
 * Checks an NDJSON export offline: its last line is a signed checkpoint over every byte before it
 * and their line count; a changed, removed, added or reordered line, or a cut, fails it.
 */
export const verifyExport = (
  bytes: Buffer,
  keys: AuditPublicKey[],
): { verdict: ExportVerdict; eventCount: number | null } => {
  const end = bytes.at(-1) === 0x0a ? bytes.length - 1 : bytes.length;
  const start = bytes.lastIndexOf(0x0a, end - 1) + 1;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.subarray(start, end).toString('utf8'));
  } catch {
    return { verdict: 'no-checkpoint', eventCount: null };
  }
  const signed = signedCheckpointSchema.safeParse(parsed);
  const checkpoint = exportCheckpointSchema.safeParse(signed.success ? signed.data.checkpoint : null);
  if (!signed.success || !checkpoint.success) return { verdict: 'no-checkpoint', eventCount: null };
  const signature = verifySignature(signed.data, keys);
  if (signature !== 'valid') return { verdict: signature, eventCount: null };
  const body = bytes.subarray(0, start);
  const lines = body.toString('utf8').split('\n').length - 1;
  const digest = createHash('sha256').update(body).digest('hex');
  const intact = digest === checkpoint.data.digest && lines === checkpoint.data.eventCount;
  return { verdict: intact ? 'intact' : 'altered', eventCount: checkpoint.data.eventCount };
};
