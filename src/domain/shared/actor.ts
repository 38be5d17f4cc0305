import { z } from 'zod';

export const userRoles = ['member', 'office-admin', 'support', 'auditor'] as const;
export const userRoleSchema = z.enum(userRoles);
export type UserRole = z.infer<typeof userRoleSchema>;

/** Who caused a change: a user acting in a role, the platform (API key), or the service itself. */
export const actorSchema = z.object({
  id: z.string().min(1),
  role: z.enum([...userRoles, 'platform', 'system']),
  officeId: z.string().min(1).optional(),
});
export type Actor = z.infer<typeof actorSchema>;

export const isOfficeAdminOf = (actor: Actor, officeId: string): boolean =>
  actor.role === 'office-admin' && actor.officeId === officeId;

/** A person acting (rather than the platform or the service itself): someone whose data can be erased. */
export const isPerson = (actor: Actor): boolean => actor.role !== 'platform' && actor.role !== 'system';
