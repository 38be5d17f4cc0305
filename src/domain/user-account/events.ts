import { z } from 'zod';
import { userRoleSchema } from '../shared/actor.ts';
import { personalField, personalTextSchema } from '../shared/personal-data.ts';
import { entityId } from '../shared/schema.ts';

/**
 * `passwordHash` is a PHC string (argon2id); it never leaves the service (audit output omits it).
 * `username` and `passwordHash` are sealed with the user's data key: `UserErased` goes with deleting it.
 */
const passwordHash = personalField(z.string().min(1));

export const userAccountEventSchemas = {
  UserRegistered: z.object({
    userId: entityId,
    officeId: entityId,
    username: personalTextSchema,
    role: userRoleSchema,
    passwordHash,
  }),
  PasswordChanged: z.object({ userId: entityId, passwordHash }),
  UserRoleChanged: z.object({ userId: entityId, role: userRoleSchema, previousRole: userRoleSchema }),
  UserErased: z.object({
    userId: entityId,
    reason: z.string().min(1).max(1000),
    ticket: z.string().min(1).max(200),
  }),
} as const;

type Schemas = typeof userAccountEventSchemas;
export type UserAccountEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

export const userAccountStream = (userId: string): string => `user-${userId}`;
