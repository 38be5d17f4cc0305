import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { publicKeysSchema } from '../application/audit-chain/checkpoints.ts';
import {
  type CheckpointCheck,
  type CheckpointVerdict,
  verifyExport,
} from '../application/audit-chain/verify-checkpoints.ts';
import type { AuditPublicKey } from '../application/ports/audit-signer.ts';
import type { UseCases } from '../application/use-cases/index.ts';

export const auditUsage = `  audit verify [--checkpoint FILE…] [--public-key FILE]
            Check the hash chain of every stream; lists each broken stream and its first bad event.
            With --checkpoint, also prove that the history still holds each saved checkpoint's head
            (same store, same events up to its position); names every checkpoint that fails. Exit 3
            when anything is broken.
  audit checkpoint [--output FILE]
            Sign a checkpoint of the whole history now (kept in the history too); prints it or
            writes it to FILE. Keep it somewhere the service cannot write.
  audit verify-export FILE [--public-key FILE]
            Check an NDJSON export offline against its closing signed checkpoint. The public keys are
            the saved answer of GET /v1/audit/signing-key, or else this service's own. Exit 3 when it fails.
`;

/** Thrown for a command line the audit commands cannot use; the CLI prints it and exits 2. */
export class AuditUsageError extends Error {}

const why: Record<Exclude<CheckpointVerdict, 'intact'>, string> = {
  unreadable: 'not a signed store checkpoint',
  'unknown-key': 'signed by a key that is not among the public keys',
  'bad-signature': 'the signature does not match the checkpoint',
  'other-store': 'made by another event store',
  'cut-off': 'the history now ends before its position: the newest events were cut off',
  rewritten: 'the history up to its position is not the one it signed: events changed, removed or added',
};

/** The options of `audit verify`: checkpoint files (`--checkpoint a --checkpoint b`, or `--checkpoint a b`). */
export const parseVerifyArgs = (
  args: string[],
): { checkpoints: string[]; publicKeyFile: string | undefined } => {
  const { values, positionals } = parseArgs({
    args,
    options: { checkpoint: { type: 'string', multiple: true }, 'public-key': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const checkpoints = [...(values.checkpoint ?? []), ...positionals];
  if (positionals.length > 0 && values.checkpoint === undefined)
    throw new AuditUsageError('audit verify takes checkpoint files after --checkpoint');
  return { checkpoints, publicKeyFile: values['public-key'] };
};

/** Public keys saved from `GET /v1/audit/signing-key`. */
export const readPublicKeys = (path: string): AuditPublicKey[] => {
  const parsed = publicKeysSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new AuditUsageError(`${path} is not the answer of GET /v1/audit/signing-key`);
  return parsed.data.keys;
};

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

/** `audit checkpoint [--output FILE]`. */
export const checkpointCommand = async (useCases: UseCases, args: string[]): Promise<string> => {
  const { values } = parseArgs({ args, options: { output: { type: 'string' } }, strict: true });
  const { signed } = await useCases.signAuditCheckpoint({
    actor: { id: 'cli', role: 'platform' },
    correlationId: crypto.randomUUID(),
    userAgent: 'second-factor-cli',
  });
  const text = `${JSON.stringify(signed, null, 2)}\n`;
  if (values.output === undefined) return text.trimEnd();
  writeFileSync(values.output, text);
  return `checkpoint at position ${signed.checkpoint.position} (${signed.checkpoint.eventCount} events) written to ${values.output}`;
};

/** `audit verify-export FILE [--public-key FILE]`: needs no store, only the keys. */
export const verifyExportCommand = (
  args: string[],
  ownKeys: () => AuditPublicKey[],
): { output: string; exitCode: number } => {
  const { values, positionals } = parseArgs({
    args,
    options: { 'public-key': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const [file] = positionals;
  if (file === undefined || positionals.length !== 1)
    throw new AuditUsageError('audit verify-export needs FILE [--public-key FILE]');
  const keyFile = values['public-key'];
  const keys = keyFile === undefined ? ownKeys() : readPublicKeys(keyFile);
  const { verdict, eventCount } = verifyExport(readFileSync(file), keys);
  const messages: Record<typeof verdict, string> = {
    intact: `${file}: intact, ${eventCount} events, signed checkpoint verified`,
    'no-checkpoint': `${file}: FAILED: its last line is not a signed export checkpoint (cut off?)`,
    'unknown-key': `${file}: FAILED: signed by a key that is not among the public keys`,
    'bad-signature': `${file}: FAILED: the checkpoint's signature does not match`,
    altered: `${file}: FAILED: the lines before the checkpoint are not the ones it signed`,
  };
  return { output: messages[verdict], exitCode: verdict === 'intact' ? 0 : 3 };
};
