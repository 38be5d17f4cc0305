import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmSecretCipher } from '../../../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { loadOrCreateKeyring, parseSecretKeys } from '../../../src/adapters/crypto/keyring-file.ts';

const key32 = () => randomBytes(32).toString('base64');

const messageOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the action to throw');
};

describe('parseSecretKeys', () => {
  it('parses id:base64 entries in order, newest first', () => {
    const [a, b] = [key32(), key32()];
    const keyring = parseSecretKeys(`k2:${a},k1:${b}`);
    expect(keyring.map((entry) => entry.id)).toEqual(['k2', 'k1']);
    expect(keyring[0]!.key.equals(Buffer.from(a, 'base64'))).toBe(true);
    expect(keyring[1]!.key.equals(Buffer.from(b, 'base64'))).toBe(true);
  });

  it('tolerates spaces, a trailing newline and empty entries', () => {
    const keyring = parseSecretKeys(` k1:${key32()} , ,k-2.x:${key32()}\n`);
    expect(keyring.map((entry) => entry.id)).toEqual(['k1', 'k-2.x']);
    expect(keyring.every((entry) => entry.key.length === 32)).toBe(true);
  });

  it('gives an empty keyring for an empty string', () => {
    expect(parseSecretKeys('')).toEqual([]);
  });

  const wrongLengthKeys = [
    ['16 bytes', randomBytes(16).toString('base64')],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
    ['hex of 32 bytes', randomBytes(32).toString('hex')],
    ['empty', ''],
  ];

  it.each(wrongLengthKeys)('rejects a key of the wrong length (%s) without echoing it', (_label, key) => {
    const message = messageOf(() => parseSecretKeys(`k1:${key}`));
    expect(message).toMatch(/32 bytes/);
    expect(message).toContain('entry 1');
    if (key !== '') expect(message).not.toContain(key);
  });

  it('names the failing entry by position, not by content', () => {
    const bad = randomBytes(20).toString('base64');
    const message = messageOf(() => parseSecretKeys(`k1:${key32()},k2:${bad}`));
    expect(message).toContain('entry 2');
    expect(message).not.toContain(bad);
  });

  const malformed = () => {
    const key = key32();
    return [
      ['no id', key, key],
      ['empty id', `:${key}`, key],
      ['id with a space', `my key:${key}`, key],
      ['id with a slash', `a/b:${key}`, key],
      ['id too long', `${'k'.repeat(41)}:${key}`, key],
      ['key and id swapped', `${key}:k1`, key],
      ['key as the id', `${key.replace(/[+/=]/g, 'A')}:`, key.replace(/[+/=]/g, 'A')],
    ] as const;
  };

  it.each(malformed())('rejects a malformed entry (%s) without echoing key material', (_label, text, key) => {
    const message = messageOf(() => parseSecretKeys(text));
    expect(message).toMatch(/SECRET_KEYS/);
    expect(message).not.toContain(key);
    expect(message).not.toContain(key.slice(0, 12));
  });
});

describe('loadOrCreateKeyring', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-keyring-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('uses SECRET_KEYS when set, without touching the data directory or warning', () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    const key = key32();
    const keyring = loadOrCreateKeyring({
      secretKeys: `prod:${key}`,
      dataDir,
      warn: (message) => warnings.push(message),
    });
    expect(keyring).toHaveLength(1);
    expect(keyring[0]!.id).toBe('prod');
    expect(warnings).toEqual([]);
    expect(() => statSync(join(dataDir, 'secret-keys'))).toThrow();
  });

  it('rejects a SECRET_KEYS that holds no key', () => {
    for (const secretKeys of ['', ' , ']) {
      expect(() => loadOrCreateKeyring({ secretKeys, dataDir: tempDir(), warn: () => {} })).toThrow(
        /SECRET_KEYS/,
      );
    }
  });

  it('rejects a malformed SECRET_KEYS rather than falling back to the file', () => {
    const dataDir = tempDir();
    expect(() => loadOrCreateKeyring({ secretKeys: 'k1:short', dataDir, warn: () => {} })).toThrow(
      /32 bytes/,
    );
    expect(() => statSync(join(dataDir, 'secret-keys'))).toThrow();
  });

  it('creates DATA_DIR/secret-keys with mode 0600 and one 32-byte key, and warns', () => {
    const dataDir = tempDir();
    const warnings: string[] = [];
    const keyring = loadOrCreateKeyring({
      secretKeys: undefined,
      dataDir,
      warn: (message) => warnings.push(message),
    });
    const path = join(dataDir, 'secret-keys');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(keyring).toHaveLength(1);
    expect(keyring[0]!.key).toHaveLength(32);
    expect(parseSecretKeys(readFileSync(path, 'utf8'))).toEqual(keyring);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('SECRET_KEYS');
    expect(warnings[0]).not.toContain(keyring[0]!.key.toString('base64'));
  });

  it('reuses the file on the next start, so earlier ciphertexts still decrypt', () => {
    const dataDir = tempDir();
    const options = { secretKeys: undefined, dataDir, warn: () => {} };
    const first = loadOrCreateKeyring(options);
    const path = join(dataDir, 'secret-keys');
    const content = readFileSync(path, 'utf8');
    const modifiedAt = statSync(path).mtimeMs;

    const encrypted = new AesGcmSecretCipher(first).encrypt('secret', 'totp:u:e');
    const second = loadOrCreateKeyring(options);

    expect(second).toEqual(first);
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(statSync(path).mtimeMs).toBe(modifiedAt);
    expect(new AesGcmSecretCipher(second).decrypt(encrypted, 'totp:u:e')).toBe('secret');
  });

  it('gives different keys to different data directories', () => {
    const a = loadOrCreateKeyring({ secretKeys: undefined, dataDir: tempDir(), warn: () => {} });
    const b = loadOrCreateKeyring({ secretKeys: undefined, dataDir: tempDir(), warn: () => {} });
    expect(a[0]!.key.equals(b[0]!.key)).toBe(false);
  });

  it('reads a keyring file an operator has rotated (newest first)', () => {
    const dataDir = tempDir();
    const [newKey, oldKey] = [key32(), key32()];
    writeFileSync(join(dataDir, 'secret-keys'), `k2:${newKey},k1:${oldKey}\n`, { mode: 0o600 });
    const keyring = loadOrCreateKeyring({ secretKeys: undefined, dataDir, warn: () => {} });
    expect(keyring.map((entry) => entry.id)).toEqual(['k2', 'k1']);
  });
});

describe('parseSecretKeys key ids', () => {
  it('refuses the same key id twice, since old secrets would then no longer decrypt', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(() => parseSecretKeys(`k1:${key},k1:${key}`)).toThrow(/used twice/);
  });
});
