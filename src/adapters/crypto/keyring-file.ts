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
 * Keys from a setting (`id:base64,…`, newest first), or, in the embedded default where it is unset,
 * from a file in the data directory that is created once (mode 0600) with one key and then reused.
 */
export const loadOrCreateKeys = (options: {
  variable: string;
  configured: string | undefined;
  dataDir: string;
  fileName: string;
  firstKeyId: () => string;
  warn: (message: string) => void;
}): Keyring => {
  const { variable } = options;
  if (options.configured !== undefined) {
    const keys = parseSecretKeys(options.configured, variable);
    if (keys.length === 0) throw new Error(`${variable}: expected at least one id:base64key`);
    return keys;
  }
  const path = join(options.dataDir, options.fileName);
  const text = readOrCreateSecretFile(
    path,
    () => `${options.firstKeyId()}:${randomBytes(32).toString('base64')}`,
  );
  options.warn(`${variable} is not set: using the generated key in ${path}; set ${variable} in production`);
  return parseSecretKeys(text, variable);
};

/** The keyring from `SECRET_KEYS`, or the one generated into `DATA_DIR/secret-keys`. */
export const loadOrCreateKeyring = (options: {
  secretKeys: string | undefined;
  dataDir: string;
  warn: (message: string) => void;
}): Keyring =>
  loadOrCreateKeys({
    variable: 'SECRET_KEYS',
    configured: options.secretKeys,
    dataDir: options.dataDir,
    fileName: 'secret-keys',
    firstKeyId: () => 'k1',
    warn: options.warn,
  });

/** A secret kept in a file readable by its owner only: made by `create` the first time, then reused. */
export const readOrCreateSecretFile = (path: string, create: () => string): string => {
  if (!existsSync(path)) writeFileSync(path, `${create()}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
};
