import { z } from 'zod';

/** AES-256-GCM output as the domain stores it: opaque to the domain, produced by the crypto adapter. */
export const encryptedSecretSchema = z.object({
  keyId: z.string().min(1),
  iv: z.string().min(1),
  ciphertext: z.string().min(1),
  tag: z.string().min(1),
});
export type EncryptedSecret = z.infer<typeof encryptedSecretSchema>;
