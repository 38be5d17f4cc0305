import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';

/** Thrown when a ciphertext fails authentication or names a key the ring does not hold. */
export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/** Authenticated encryption of TOTP secrets with a keyring (AES-256-GCM; newest key encrypts). */
export interface SecretCipher {
  /** Encrypts with the newest key; `associatedData` binds the ciphertext to its owner. */
  encrypt(plaintext: string, associatedData: string): EncryptedSecret;
  /** Decrypts with the key the ciphertext names; throws SecretDecryptionError when tampered. */
  decrypt(secret: EncryptedSecret, associatedData: string): string;
}

/** The associated data that ties a TOTP secret to one user's one enrolment. */
export const totpSecretAssociatedData = (userId: string, enrollmentId: string): string =>
  `totp:${userId}:${enrollmentId}`;
