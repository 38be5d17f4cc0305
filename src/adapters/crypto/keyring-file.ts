import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Keyring } from './aes-gcm-secret-cipher.ts';

/** Parses `SECRET_KEYS` (`id:base64,id:base64`, newest first); each key must be 32 bytes. */
export const parseSecretKeys = (text: string, variable = 'SECRET_KEYS'): Keyring => {
  const keyring = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const separator = entry.indexOf(':');
      const id = separator > 0 ? entry.slice(0, separator) : '';
      const key = Buffer.from(entry.slice(separator + 1), 'base64');
      if (id === '' || !/^[\w.-]{1,40}$/.test(id))
        throw new Error(`${variable} entry ${index + 1}: expected id:base64key`);
      if (key.length !== 32)
        throw new Error(`${variable} entry ${index + 1} ("${id}"): the key must be 32 bytes in base64`);
      return { id, key };
    });
  const ids = keyring.map(({ id }) => id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined)
    throw new Error(`${variable}: the key id "${repeated}" is used twice; give each key its own id`);
  return keyring;
};

/**
 * The keyring from `SECRET_KEYS`, or, in the embedded default where it is unset, from a file in the
 * data directory that is created once (mode 0600) and then reused.
 */
export const loadOrCreateKeyring = (options: {
  secretKeys: string | undefined;
  dataDir: string;
  warn: (message: string) => void;
}): Keyring => {
  if (options.secretKeys !== undefined) {
    const keyring = parseSecretKeys(options.secretKeys);
    if (keyring.length === 0) throw new Error('SECRET_KEYS: expected at least one id:base64key');
    return keyring;
  }
  const path = join(options.dataDir, 'secret-keys');
  const text = readOrCreateSecretFile(path, () => `k1:${randomBytes(32).toString('base64')}`);
  options.warn(
    `SECRET_KEYS is not set: using the generated keyring in ${path}; set SECRET_KEYS in production`,
  );
  return parseSecretKeys(text);
};

/** A secret kept in a file readable by its owner only: made by `create` the first time, then reused. */
export const readOrCreateSecretFile = (path: string, create: () => string): string => {
  if (!existsSync(path)) writeFileSync(path, `${create()}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
};
