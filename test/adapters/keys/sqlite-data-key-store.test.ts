import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteDataKeyStore } from '../../../src/adapters/keys/sqlite-data-key-store.ts';
import { dataKeyStoreContract } from '../../contracts/data-key-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'second-factor-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = join(dir, 'contract.sqlite');
dataKeyStoreContract(
  'SQLite',
  async () => ({
    store: new SqliteDataKeyStore(path),
    reopen: async () => new SqliteDataKeyStore(path),
  }),
  { persistent: true },
);

describe('SQLite data keys on disk', () => {
  it('leaves no byte of an erased key in the file or beside it', async () => {
    const file = join(dir, 'shred.sqlite');
    const store = new SqliteDataKeyStore(file);
    const wrapped = `{"keyId":"k1","ciphertext":"${'Q'.repeat(40)}shred-me-${Date.now()}"}`;
    const kept = `{"keyId":"k1","ciphertext":"${'K'.repeat(40)}keep-me"}`;
    await store.create('person:gone', wrapped);
    await store.create('person:kept', kept);
    const filesHolding = (needle: string) =>
      readdirSync(dir)
        .filter((name) => name.startsWith('shred.sqlite'))
        .filter((name) => readFileSync(join(dir, name)).includes(needle));
    expect(filesHolding(wrapped)).toEqual(['shred.sqlite']);

    expect(await store.erase('person:gone', '2026-11-26T12:00:00.000Z')).toBe(true);
    expect(filesHolding(wrapped)).toEqual([]);
    expect(filesHolding(kept)).toEqual(['shred.sqlite']);
    await store.close();
  });

  it('leaves no byte of a key wrapped under a retired keyring key after a re-wrap', async () => {
    const file = join(dir, 'rewrap.sqlite');
    const store = new SqliteDataKeyStore(file);
    const old = `{"keyId":"k1","ciphertext":"${'R'.repeat(40)}old-wrap-${Date.now()}"}`;
    const renewed = `{"keyId":"k2","ciphertext":"${'N'.repeat(40)}new-wrap-${Date.now()}"}`;
    await store.create('person:rotated', old);
    expect(await store.replace('person:rotated', old, renewed)).toBe(true);
    const bytes = readFileSync(file);
    expect(bytes.includes(old)).toBe(false);
    expect(bytes.includes(renewed)).toBe(true);
    await store.close();
  });

  it('keeps keys and tombstones across a restart', async () => {
    const file = join(dir, 'restart.sqlite');
    const first = new SqliteDataKeyStore(file);
    await first.create('person:a', 'key-a');
    await first.create('person:b', 'key-b');
    await first.erase('person:b', '2026-11-26T12:00:00.000Z');
    await first.close();
    const second = new SqliteDataKeyStore(file);
    expect(await second.find('person:a')).toEqual({ state: 'active', wrappedKey: 'key-a' });
    expect(await second.find('person:b')).toEqual({ state: 'erased', erasedAt: '2026-11-26T12:00:00.000Z' });
    await second.close();
  });
});
