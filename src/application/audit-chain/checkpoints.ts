import { createPublicKey, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { storeCheckpointSchema } from '../../domain/audit/events.ts';
import { isoInstant } from '../../domain/shared/schema.ts';
import type { AuditPublicKey, AuditSigner } from '../ports/audit-signer.ts';

/** Closes an NDJSON export: the exported bytes before this line had this digest and this many lines. */
export const exportCheckpointSchema = z.object({
  kind: z.literal('export'),
  version: z.literal(1),
  storeId: z.string().min(1),
  /** The export covers the store up to this position (events appended later are not in it). */
  position: z.number().int().nonnegative(),
  eventCount: z.number().int().nonnegative(),
  /** SHA-256 (hex) of every byte of the export before the checkpoint line. */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  filter: z.record(z.string(), z.string()),
  at: isoInstant,
  keyId: z.string().min(1),
});
export type ExportCheckpoint = z.infer<typeof exportCheckpointSchema>;

const anyCheckpoint = z.discriminatedUnion('kind', [storeCheckpointSchema, exportCheckpointSchema]);
type AnyCheckpoint = z.infer<typeof anyCheckpoint>;

/** A checkpoint and its signature, as kept in the history, sent by webhook and written to files. */
export const signedCheckpointSchema = z.object({ checkpoint: anyCheckpoint, signature: z.string().min(1) });
export type Signed<C extends AnyCheckpoint = AnyCheckpoint> = { checkpoint: C; signature: string };

/** The bytes a signature covers: the canonical JSON (RFC 8785) of the checkpoint, key id included. */
const signedBytes = (checkpoint: AnyCheckpoint): string => canonicalize(checkpoint) ?? '';

export const signCheckpoint = <C extends AnyCheckpoint>(signer: AuditSigner, checkpoint: C): Signed<C> => ({
  checkpoint,
  signature: signer.sign(signedBytes(checkpoint)),
});

export type SignatureVerdict = 'valid' | 'unknown-key' | 'bad-signature';

/** Checks a signature offline against the public keys one trusts (newest first or any order). */
export const verifySignature = (signed: Signed, keys: AuditPublicKey[]): SignatureVerdict => {
  const key = keys.find((candidate) => candidate.keyId === signed.checkpoint.keyId);
  if (key === undefined) return 'unknown-key';
  try {
    const publicKey = createPublicKey({
      key: Buffer.from(key.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const ok = verify(
      null,
      Buffer.from(signedBytes(signed.checkpoint)),
      publicKey,
      Buffer.from(signed.signature, 'base64'),
    );
    return ok ? 'valid' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
};

/** The public keys as `GET /v1/audit/signing-key` answers them, read back from a saved copy. */
export const publicKeysSchema = z.object({
  keys: z.array(
    z.object({
      keyId: z.string().min(1),
      algorithm: z.literal('Ed25519'),
      publicKey: z.string().min(1),
      pem: z.string(),
    }),
  ),
});
