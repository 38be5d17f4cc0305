import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { type SecretCipher, SecretDecryptionError } from '../../application/ports/secret-cipher.ts';
import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';

export type Keyring = { id: string; key: Buffer }[];

/** AES-256-GCM with a keyring: the first key encrypts, any key in the ring decrypts what it wrote. */
export class AesGcmSecretCipher implements SecretCipher {
  private readonly keyring: { id: string; key: KeyObject }[];

  constructor(keyring: { id: string; key: Buffer | KeyObject }[]) {
    if (keyring.length === 0) throw new Error('The keyring needs at least one key.');
    // Key objects once: handed a Buffer, every cipher would turn it into one again (a third of its cost).
    this.keyring = keyring.map(({ id, key }) => ({
      id,
      key: Buffer.isBuffer(key) ? createSecretKey(key) : key,
    }));
  }

  /** Whether the ring holds a key with this id. */
  hasKey(keyId: string): boolean {
    return this.keyring.some((entry) => entry.id === keyId);
  }

  /** The id of the key that encrypts (the newest). */
  get currentKeyId(): string {
    return this.keyring[0]!.id;
  }

  encrypt(plaintext: string, associatedData: string): EncryptedSecret {
    const { id, key } = this.keyring[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: id,
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  decrypt(secret: EncryptedSecret, associatedData: string): string {
    const entry = this.keyring.find((candidate) => candidate.id === secret.keyId);
    if (entry === undefined) throw new SecretDecryptionError(`No key "${secret.keyId}" in the keyring.`);
    try {
      // A fixed tag length: otherwise GCM accepts a truncated tag (down to 32 bits) as authentic.
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(secret.iv, 'base64'), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(secret.tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(secret.ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretDecryptionError(
        'The secret failed authentication: tampered, or bound to another owner.',
      );
    }
  }
}
