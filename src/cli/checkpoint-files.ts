import { readFileSync } from 'node:fs';
import { publicKeysSchema } from '../application/audit-chain/checkpoints.ts';
import type { CheckpointCheck, CheckpointVerdict } from '../application/audit-chain/verify-checkpoints.ts';
import type { AuditPublicKey } from '../application/ports/audit-signer.ts';
import { UsageError } from './command.ts';

const why: Record<Exclude<CheckpointVerdict, 'intact'>, string> = {
  unreadable: 'not a signed store checkpoint',
  'unknown-key': 'signed by a key that is not among the public keys',
  'bad-signature': 'the signature does not match the checkpoint',
  'other-store': 'made by another event store',
  'cut-off': 'the history now ends before its position: the newest events were cut off',
  rewritten: 'the history up to its position is not the one it signed: events changed, removed or added',
};

/** Public keys saved from `GET /v1/audit/signing-key`. */
export const readPublicKeys = (path: string): AuditPublicKey[] => {
  const parsed = publicKeysSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new UsageError(`${path} is not the answer of GET /v1/audit/signing-key`);
  return parsed.data.keys;
};

/** Saved checkpoints; an unreadable file becomes `null` content, which the verification calls unreadable. */
export const readCheckpointFiles = (paths: string[]): { name: string; content: unknown }[] =>
  paths.map((name) => {
    try {
      return { name, content: JSON.parse(readFileSync(name, 'utf8')) };
    } catch {
      return { name, content: null };
    }
  });

/** One line per checkpoint; `failed` when any is not intact. */
export const describeChecks = (checks: CheckpointCheck[]): { lines: string[]; failed: boolean } => ({
  lines: checks.map((check) =>
    check.verdict === 'intact'
      ? `CHECKPOINT ${check.name} (position ${check.position}): intact`
      : `CHECKPOINT FAILED ${check.name} (position ${check.position ?? '?'}): ${check.verdict}: ${why[check.verdict]}`,
  ),
  failed: checks.some((check) => check.verdict !== 'intact'),
});
