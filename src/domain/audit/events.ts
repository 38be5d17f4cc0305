import { z } from 'zod';
import { isoInstant } from '../shared/schema.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What a checkpoint of the store says, signed: the history up to `position` had `eventCount` events,
 * the last of them hashed `lastEventHash`, and the newest hash of every stream digested to `headsDigest`.
 * The checkpoint event itself comes after `position`, so it never describes itself.
 */
export const storeCheckpointSchema = z.object({
  kind: z.literal('store'),
  version: z.literal(1),
  storeId: z.string().min(1),
  position: z.number().int().nonnegative(),
  eventCount: z.number().int().nonnegative(),
  lastEventHash: sha256Hex.nullable(),
  headsDigest: sha256Hex,
  streamCount: z.number().int().nonnegative(),
  at: isoInstant,
  keyId: z.string().min(1),
});
export type StoreCheckpoint = z.infer<typeof storeCheckpointSchema>;

export const auditEventSchemas = {
  /** A signed checkpoint, kept in the history it describes; copies go out by webhook. */
  AuditCheckpointSigned: z.object({ checkpoint: storeCheckpointSchema, signature: z.string().min(1) }),
} as const;

type Schemas = typeof auditEventSchemas;
export type AuditEvent = { [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> } }[keyof Schemas];

export const auditCheckpointStream = 'audit-checkpoints';
