import { z } from 'zod';
import { actorSchema } from '../shared/actor.ts';
import { entityId, isoInstant } from '../shared/schema.ts';

/** What support may ask for under four-eyes: each takes effect only once another agent approves it. */
export const supportActions = ['two-factor-reset', 'temporary-access', 'erasure'] as const;
export const supportActionSchema = z.enum(supportActions);
export type SupportAction = z.infer<typeof supportActionSchema>;

const about = { requestId: entityId, action: supportActionSchema, userId: entityId };

export const supportRequestEventSchemas = {
  /** `requestedBy`: the agent who asked; the action runs as them once approved. */
  SupportActionRequested: z.object({
    ...about,
    reason: z.string().min(1).max(1000),
    ticket: z.string().min(1).max(200),
    requestedBy: actorSchema,
    requestedAt: isoInstant,
    expiresAt: isoInstant,
  }),
  SupportActionApproved: z.object({ ...about, approvedBy: actorSchema }),
  SupportActionWithdrawn: z.object(about),
  /** Recorded by the first command after the deadline; the deadline alone already stops an approval. */
  SupportActionExpired: z.object(about),
} as const;

type Schemas = typeof supportRequestEventSchemas;
export type SupportRequestEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

/** Every request lives in one stream: the queue support works from (few requests a day, see README). */
export const supportRequestsStream = 'support-requests';
