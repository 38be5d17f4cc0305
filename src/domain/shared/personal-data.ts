import { z } from 'zod';
import { encryptedSecretSchema } from './encrypted-secret.ts';

/**
 * Personal data as an event holds it: sealed with the person's own data key, so that deleting the key
 * erases every copy. Plain text (`plain`) is what events written before sealing hold; it reads as it is.
 */
export const personalField = (plain: z.ZodString) => z.union([plain, encryptedSecretSchema]);
export const personalTextSchema = personalField(z.string().min(1).max(200));
export type PersonalText = z.infer<typeof personalTextSchema>;

export const isSealed = (value: PersonalText): value is Exclude<PersonalText, string> =>
  typeof value !== 'string';

/** The key id a value sealed with its person's data key carries (a keyring key id cannot look like it). */
export const subjectKeyId = '@subject';
