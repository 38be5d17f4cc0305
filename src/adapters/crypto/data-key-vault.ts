import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../application/ports/clock.ts';
import type { DataKeyStore } from '../../application/ports/data-key-store.ts';
import {
  type BlindIndex,
  type DataKeyRotation,
  type PersonalDataVault,
  type RewrapOutcome,
  SubjectErasedError,
} from '../../application/ports/personal-data-vault.ts';
import { SecretDecryptionError } from '../../application/ports/secret-cipher.ts';
import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';
import { subjectKeyId } from '../../domain/shared/personal-data.ts';
import { AesGcmSecretCipher } from './aes-gcm-secret-cipher.ts';

/** The keyring in use cannot unwrap the stored data keys: the service must not start with it. */
export class KeyringMismatchError extends Error {
  override name = 'KeyringMismatchError';
}

/** People's keys and the service's own index key live in separate namespaces of the store. */
export const personKey = (subjectId: string) => `person:${subjectId}`;
const usernameIndexKey = 'service:username-index';

export type DataKeyVaultOptions = {
  /** Unwrapped keys kept in memory, and for how long: an erasure elsewhere is seen at most this late. */
  cacheEntries?: number;
  cacheTtlMs?: number;
};

/**
 * Per-person AES-256-GCM data keys, each wrapped with the service keyring (`keyring`) and stored in a
 * DataKeyStore. Values sealed before data keys existed carry a keyring id and are opened with the keyring.
 */
export class DataKeyVault implements PersonalDataVault, BlindIndex, DataKeyRotation {
  private readonly store: DataKeyStore;
  private readonly keyring: AesGcmSecretCipher;
  private readonly clock: Clock;
  private readonly unwrapped: LRUCache<string, KeyObject>;
  private indexKey: Promise<KeyObject> | undefined;

  constructor(
    store: DataKeyStore,
    keyring: AesGcmSecretCipher,
    clock: Clock,
    options: DataKeyVaultOptions = {},
  ) {
    this.store = store;
    this.keyring = keyring;
    this.clock = clock;
    this.unwrapped = new LRUCache({ max: options.cacheEntries ?? 10_000, ttl: options.cacheTtlMs ?? 60_000 });
  }

  async seal(subjectId: string, plaintext: string, associatedData: string): Promise<EncryptedSecret> {
    const key = await this.keyOf(personKey(subjectId), { create: true });
    if (key === 'erased' || key === null) throw new SubjectErasedError(subjectId);
    return cipherWith(key).encrypt(plaintext, associatedData);
  }

  async open(subjectId: string, sealed: EncryptedSecret, associatedData: string): Promise<string | null> {
    if (sealed.keyId !== subjectKeyId) return this.keyring.decrypt(sealed, associatedData);
    const key = await this.keyOf(personKey(subjectId), { create: false });
    if (key === 'erased') return null;
    if (key === null) throw new SecretDecryptionError(`No data key for ${subjectId}, and no erasure either.`);
    return cipherWith(key).decrypt(sealed, associatedData);
  }

  async erase(subjectId: string): Promise<boolean> {
    this.unwrapped.delete(personKey(subjectId));
    return this.store.erase(personKey(subjectId), this.clock.now().toISOString());
  }

  async digest(value: string): Promise<string> {
    this.indexKey ??= this.keyOf(usernameIndexKey, { create: true }).then((key) => {
      if (key === 'erased' || key === null) throw new Error('The username index key is missing.');
      return key;
    });
    return createHmac('sha256', await this.indexKey)
      .update(value, 'utf8')
      .digest('base64url');
  }

  /**
   * Refuses a keyring that cannot open the data keys already stored (a new SECRET_KEYS on every start
   * would make every sealed name and secret unreadable): it unwraps the service's own index key, which
   * exists as soon as one user was registered. A fresh store passes.
   */
  async checkKeyringOpensStoredKeys(): Promise<void> {
    const stored = await this.store.find(usernameIndexKey);
    if (stored === null || stored.state === 'erased') return;
    const wrappedWith = (JSON.parse(stored.wrappedKey) as EncryptedSecret).keyId;
    try {
      unwrap(this.keyring, usernameIndexKey, stored.wrappedKey);
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      throw new KeyringMismatchError(
        `SECRET_KEYS cannot open the data keys this store already holds: they are wrapped with key "${wrappedWith}", ` +
          `which ${this.keyring.hasKey(wrappedWith) ? 'is a different key under the same id' : 'is not in the keyring'}. ` +
          'Start with the SECRET_KEYS that wrote them (put a new key first and keep the old one after it to rotate).',
      );
    }
  }

  get currentKeyId(): string {
    return this.keyring.currentKeyId;
  }

  rewrapPerson(subjectId: string): Promise<RewrapOutcome> {
    return this.rewrap(personKey(subjectId));
  }

  rewrapServiceKeys(): Promise<RewrapOutcome> {
    return this.rewrap(usernameIndexKey);
  }

  /** Unwraps with whichever keyring key wrapped it and wraps again with the newest; retried on a race. */
  private async rewrap(id: string): Promise<RewrapOutcome> {
    for (;;) {
      const stored = await this.store.find(id);
      if (stored === null) return 'missing';
      if (stored.state === 'erased') return 'erased';
      const wrapped = JSON.parse(stored.wrappedKey) as EncryptedSecret;
      if (wrapped.keyId === this.keyring.currentKeyId) return 'current';
      const rewrapped = wrap(this.keyring, id, unwrap(this.keyring, id, stored.wrappedKey));
      if (await this.store.replace(id, stored.wrappedKey, rewrapped)) return 'rewrapped';
    }
  }

  private async keyOf(id: string, options: { create: boolean }): Promise<KeyObject | 'erased' | null> {
    const cached = this.unwrapped.get(id);
    if (cached !== undefined) return cached;
    let stored = await this.store.find(id);
    if (stored === null && options.create)
      stored = await this.store.create(id, newDataKey(this.keyring, id).wrappedKey);
    if (stored === null) return null;
    if (stored.state === 'erased') return 'erased';
    const key = createSecretKey(unwrap(this.keyring, id, stored.wrappedKey));
    this.unwrapped.set(id, key);
    return key;
  }
}

const wrapContext = (id: string) => `data-key:${id}`;

/** A data key as the store keeps it: encrypted with the keyring's newest key, bound to its entry `id`. */
const wrap = (keyring: AesGcmSecretCipher, id: string, key: Buffer): string =>
  JSON.stringify(keyring.encrypt(key.toString('base64'), wrapContext(id)));

const unwrap = (keyring: AesGcmSecretCipher, id: string, wrappedKey: string): Buffer =>
  Buffer.from(keyring.decrypt(JSON.parse(wrappedKey) as EncryptedSecret, wrapContext(id)), 'base64');

const cipherWith = (key: Buffer | KeyObject) => new AesGcmSecretCipher([{ id: subjectKeyId, key }]);

/** A fresh data key for the store entry `id`: wrapped for storing, and a cipher that seals with it. */
export const newDataKey = (keyring: AesGcmSecretCipher, id: string) => {
  const key = randomBytes(32);
  return {
    wrappedKey: wrap(keyring, id, key),
    sealer: cipherWith(key),
  };
};
