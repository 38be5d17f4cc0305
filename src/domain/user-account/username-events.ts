import { z } from 'zod';
import { entityId } from '../shared/schema.ts';

/**
 * A username is claimed by appending to its own stream with "must not exist": the event store, not a
 * projection, guarantees that two registrations cannot take the same name.
 */
export const usernameEventSchemas = {
  UsernameReserved: z.object({ username: z.string().min(1).max(200), userId: entityId }),
} as const;

export type UsernameEvent = {
  type: 'UsernameReserved';
  data: z.infer<(typeof usernameEventSchemas)['UsernameReserved']>;
};

/** Usernames compare without case and with one Unicode form, as people expect of a login name. */
export const normalizeUsername = (username: string): string => username.normalize('NFC').trim().toLowerCase();

export const usernameStream = (username: string): string => `username-${normalizeUsername(username)}`;
