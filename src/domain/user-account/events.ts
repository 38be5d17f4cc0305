import { z } from 'zod';
import { userRoleSchema } from '../shared/actor.ts';
import { entityId } from '../shared/schema.ts';

/** `passwordHash` is a PHC string (argon2id); it never leaves the service (audit output omits it). */
export const userAccountEventSchemas = {
  UserRegistered: z.object({
    userId: entityId,
    officeId: entityId,
    username: z.string().min(1).max(200),
    role: userRoleSchema,
    passwordHash: z.string().min(1),
  }),
  PasswordChanged: z.object({ userId: entityId, passwordHash: z.string().min(1) }),
  UserRoleChanged: z.object({ userId: entityId, role: userRoleSchema, previousRole: userRoleSchema }),
} as const;

type Schemas = typeof userAccountEventSchemas;
export type UserAccountEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

export const userAccountStream = (userId: string): string => `user-${userId}`;
