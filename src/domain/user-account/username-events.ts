import { z } from 'zod';
import { personalTextSchema } from '../shared/personal-data.ts';
import { entityId } from '../shared/schema.ts';

/**
 * A username is claimed by appending to its own stream, expecting the stream to be new or its last event
 * a release: the event store, not a projection, guarantees that two registrations cannot take one name.
 * The stream is named by a keyed digest of the name, so the name itself is only in the sealed event.
 */
export const usernameEventSchemas = {
  UsernameReserved: z.object({ username: personalTextSchema, userId: entityId }),
  /** The user was erased: the name may be taken again. */
  UsernameReleased: z.object({ userId: entityId }),
} as const;

type Schemas = typeof usernameEventSchemas;
export type UsernameEvent = {
  [K in keyof Schemas]: { type: K; data: z.infer<Schemas[K]> };
}[keyof Schemas];

/** Usernames compare without case and with one Unicode form, as people expect of a login name. */
export const normalizeUsername = (username: string): string => username.normalize('NFC').trim().toLowerCase();

/** `usernameDigest`: the keyed digest of the normalized name (see the BlindIndex port). */
export const usernameStream = (usernameDigest: string): string => `username-${usernameDigest}`;

/** Where releases before sealing reserved a name: the stream id held the name itself. */
export const legacyUsernameStream = (username: string): string => `username-${normalizeUsername(username)}`;

/** A name is free when its stream is empty or its last event released it. */
export const isUsernameFree = (lastEventType: string | undefined): boolean =>
  lastEventType === undefined || lastEventType === 'UsernameReleased';
