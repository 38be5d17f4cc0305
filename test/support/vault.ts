import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AesGcmSecretCipher } from '../../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { DataKeyVault } from '../../src/adapters/crypto/data-key-vault.ts';
import { parseSecretKeys } from '../../src/adapters/crypto/keyring-file.ts';
import { SqliteDataKeyStore } from '../../src/adapters/keys/sqlite-data-key-store.ts';
import { MemoryDataKeyStore } from '../../src/adapters/memory/memory-data-key-store.ts';
import { SystemClock } from '../../src/adapters/system/system-clock.ts';
import type { DataKeyStore } from '../../src/application/ports/data-key-store.ts';

/** A vault with keys in memory under a fresh random keyring: for tests that seal and open on their own. */
export const memoryVault = (): DataKeyVault =>
  new DataKeyVault(
    new MemoryDataKeyStore(),
    new AesGcmSecretCipher([{ id: 'test', key: randomBytes(32) }]),
    new SystemClock(),
  );

/** The vault over these data keys with this SECRET_KEYS, as a service would open it. */
export const vaultOver = (keys: DataKeyStore, secretKeys: string): DataKeyVault =>
  new DataKeyVault(keys, new AesGcmSecretCipher(parseSecretKeys(secretKeys)), new SystemClock());

/** The vault a service with this data directory and SECRET_KEYS uses, opened from outside it. */
export const serviceVault = (dataDir: string, secretKeys: string): DataKeyVault =>
  vaultOver(new SqliteDataKeyStore(join(dataDir, 'data-keys.sqlite')), secretKeys);
