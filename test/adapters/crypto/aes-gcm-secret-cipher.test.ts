import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmSecretCipher, type Keyring } from '../../../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { parseSecretKeys } from '../../../src/adapters/crypto/keyring-file.ts';
import {
  SecretDecryptionError,
  totpSecretAssociatedData,
} from '../../../src/application/ports/secret-cipher.ts';
import type { EncryptedSecret } from '../../../src/domain/shared/encrypted-secret.ts';

const plaintext = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const aad = totpSecretAssociatedData('user-1', 'enrolment-1');

const keyring = (...ids: string[]): Keyring => ids.map((id) => ({ id, key: randomBytes(32) }));

/** Flips one bit of the byte at `index` of a base64 field. */
const flipBit = (base64: string, index = 0): string => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
};

const expectDecryptionError = (action: () => unknown) => {
  expect(action).toThrow(SecretDecryptionError);
};

describe('S9 AesGcmSecretCipher: AES-256-GCM with key ids, rotation, tamper rejection', () => {
  it('refuses an empty keyring', () => {
    expect(() => new AesGcmSecretCipher([])).toThrow();
  });

  it('round-trips a secret with the same associated data', () => {
    const cipher = new AesGcmSecretCipher(keyring('k1'));
    expect(cipher.decrypt(cipher.encrypt(plaintext, aad), aad)).toBe(plaintext);
  });

  it('round-trips empty and non-ASCII plaintexts', () => {
    const cipher = new AesGcmSecretCipher(keyring('k1'));
    for (const text of ['', 'é🔐 ünïcode', 'x'.repeat(10_000)]) {
      expect(cipher.decrypt(cipher.encrypt(text, aad), aad)).toBe(text);
    }
  });

  it('produces a 96-bit IV, a 128-bit tag and a ciphertext as long as the plaintext', () => {
    const encrypted = new AesGcmSecretCipher(keyring('k1')).encrypt(plaintext, aad);
    expect(Buffer.from(encrypted.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(encrypted.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(encrypted.ciphertext, 'base64')).toHaveLength(Buffer.byteLength(plaintext));
  });

  it('uses a fresh IV each time, so the same plaintext never encrypts the same way', () => {
    const cipher = new AesGcmSecretCipher(keyring('k1'));
    const encryptions = Array.from({ length: 100 }, () => cipher.encrypt(plaintext, aad));
    expect(new Set(encryptions.map((e) => e.iv)).size).toBe(100);
    expect(new Set(encryptions.map((e) => e.ciphertext)).size).toBe(100);
  });

  it('never contains the plaintext, in any encoding, in any field', () => {
    const encrypted = new AesGcmSecretCipher(keyring('k1')).encrypt(plaintext, aad);
    const serialised = JSON.stringify(encrypted);
    expect(serialised).not.toContain(plaintext);
    expect(serialised.toLowerCase()).not.toContain(plaintext.toLowerCase());
    expect(serialised).not.toContain(Buffer.from(plaintext).toString('base64').slice(0, 16));
    expect(serialised).not.toContain(Buffer.from(plaintext).toString('hex').slice(0, 16));
    expect(Buffer.from(encrypted.ciphertext, 'base64').toString('utf8')).not.toContain(plaintext);
  });

  describe('tampering', () => {
    const cipher = new AesGcmSecretCipher(keyring('k1'));
    const encrypted = cipher.encrypt(plaintext, aad);

    it('rejects a flipped bit in the ciphertext', () => {
      for (const index of [0, 5, Buffer.from(encrypted.ciphertext, 'base64').length - 1]) {
        const tampered = { ...encrypted, ciphertext: flipBit(encrypted.ciphertext, index) };
        expectDecryptionError(() => cipher.decrypt(tampered, aad));
      }
    });

    it('rejects a truncated or extended ciphertext', () => {
      const bytes = Buffer.from(encrypted.ciphertext, 'base64');
      for (const changed of [bytes.subarray(0, -1), Buffer.concat([bytes, Buffer.from([0])])]) {
        expectDecryptionError(() =>
          cipher.decrypt({ ...encrypted, ciphertext: changed.toString('base64') }, aad),
        );
      }
    });

    it('rejects a flipped bit in the tag', () => {
      for (const index of [0, 15]) {
        expectDecryptionError(() =>
          cipher.decrypt({ ...encrypted, tag: flipBit(encrypted.tag, index) }, aad),
        );
      }
    });

    it('rejects a missing, truncated or shortened tag', () => {
      const tag = Buffer.from(encrypted.tag, 'base64');
      for (const length of [0, 4, 8, 12, 15]) {
        const truncated = { ...encrypted, tag: tag.subarray(0, length).toString('base64') };
        expectDecryptionError(() => cipher.decrypt(truncated, aad));
      }
    });

    it('rejects a flipped bit in the IV', () => {
      expectDecryptionError(() => cipher.decrypt({ ...encrypted, iv: flipBit(encrypted.iv) }, aad));
    });

    it('rejects the secret under another owner (different user or enrolment)', () => {
      for (const other of [
        totpSecretAssociatedData('user-2', 'enrolment-1'),
        totpSecretAssociatedData('user-1', 'enrolment-2'),
        '',
      ]) {
        expectDecryptionError(() => cipher.decrypt(encrypted, other));
      }
    });

    it('rejects a key id the ring does not hold, without naming anything secret', () => {
      const unknown: EncryptedSecret = { ...encrypted, keyId: 'k9' };
      expectDecryptionError(() => cipher.decrypt(unknown, aad));
    });

    it('rejects a ciphertext made under another key with the same id', () => {
      const impostor = new AesGcmSecretCipher(keyring('k1'));
      expectDecryptionError(() => impostor.decrypt(encrypted, aad));
    });

    it('keeps the plaintext, the key and the associated data out of the error message', () => {
      const ring = keyring('k1');
      const ownCipher = new AesGcmSecretCipher(ring);
      const own = ownCipher.encrypt(plaintext, aad);
      let message = '';
      try {
        ownCipher.decrypt({ ...own, tag: flipBit(own.tag) }, aad);
      } catch (error) {
        expect(error).toBeInstanceOf(SecretDecryptionError);
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(plaintext);
      expect(message).not.toContain(ring[0]!.key.toString('base64'));
      expect(message).not.toContain('user-1');
    });
  });

  describe('key rotation', () => {
    it('decrypts data written under an old key once a new key is put in front', () => {
      const [oldKey] = keyring('k1');
      const [newKey] = keyring('k2');
      const before = new AesGcmSecretCipher([oldKey!]);
      const encrypted = before.encrypt(plaintext, aad);
      expect(encrypted.keyId).toBe('k1');

      const rotated = new AesGcmSecretCipher([newKey!, oldKey!]);
      expect(rotated.decrypt(encrypted, aad)).toBe(plaintext);

      const fresh = rotated.encrypt(plaintext, aad);
      expect(fresh.keyId).toBe('k2');
      expect(rotated.decrypt(fresh, aad)).toBe(plaintext);
      expectDecryptionError(() => before.decrypt(fresh, aad));
    });

    it('works with a keyring parsed from SECRET_KEYS (newest first)', () => {
      const oldBase64 = randomBytes(32).toString('base64');
      const newBase64 = randomBytes(32).toString('base64');
      const encrypted = new AesGcmSecretCipher(parseSecretKeys(`old:${oldBase64}`)).encrypt(plaintext, aad);
      const rotated = new AesGcmSecretCipher(parseSecretKeys(`new:${newBase64},old:${oldBase64}`));
      expect(rotated.decrypt(encrypted, aad)).toBe(plaintext);
      expect(rotated.encrypt(plaintext, aad).keyId).toBe('new');
    });

    it('no longer decrypts once the old key is dropped from the ring', () => {
      const [oldKey, newKey] = keyring('k1', 'k2');
      const encrypted = new AesGcmSecretCipher([oldKey!]).encrypt(plaintext, aad);
      expectDecryptionError(() => new AesGcmSecretCipher([newKey!]).decrypt(encrypted, aad));
    });
  });
});
