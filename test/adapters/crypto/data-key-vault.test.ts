import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmSecretCipher } from '../../../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { DataKeyVault, personKey } from '../../../src/adapters/crypto/data-key-vault.ts';
import { MemoryDataKeyStore } from '../../../src/adapters/memory/memory-data-key-store.ts';
import { SystemClock } from '../../../src/adapters/system/system-clock.ts';
import { SubjectErasedError } from '../../../src/application/ports/personal-data-vault.ts';
import { SecretDecryptionError } from '../../../src/application/ports/secret-cipher.ts';
import { subjectKeyId } from '../../../src/domain/shared/personal-data.ts';

const keyring = () => new AesGcmSecretCipher([{ id: 'k1', key: randomBytes(32) }]);
const vaultOver = (store = new MemoryDataKeyStore(), ring = keyring(), cacheTtlMs?: number) =>
  new DataKeyVault(store, ring, new SystemClock(), cacheTtlMs === undefined ? {} : { cacheTtlMs });
const ad = 'username:u1';

describe('DataKeyVault: crypto-shredding of personal data', () => {
  it('seals with the subject key and opens again; the value names no keyring key', async () => {
    const vault = vaultOver();
    const sealed = await vault.seal('u1', 'ada@example.org', ad);
    expect(sealed.keyId).toBe(subjectKeyId);
    expect(JSON.stringify(sealed)).not.toContain('ada@example.org');
    expect(await vault.open('u1', sealed, ad)).toBe('ada@example.org');
  });

  it('opens nothing once the subject is erased, and seals nothing new for them', async () => {
    const vault = vaultOver();
    const sealed = await vault.seal('u1', 'ada', ad);
    expect(await vault.erase('u1')).toBe(true);
    expect(await vault.open('u1', sealed, ad)).toBeNull();
    await expect(vault.seal('u1', 'ada', ad)).rejects.toBeInstanceOf(SubjectErasedError);
  });

  it('erases one subject only', async () => {
    const vault = vaultOver();
    const first = await vault.seal('u1', 'ada', 'username:u1');
    const second = await vault.seal('u2', 'bob', 'username:u2');
    await vault.erase('u1');
    expect(await vault.open('u1', first, 'username:u1')).toBeNull();
    expect(await vault.open('u2', second, 'username:u2')).toBe('bob');
  });

  it('refuses a value bound to another subject, other associated data, or tampered with', async () => {
    const vault = vaultOver();
    const sealed = await vault.seal('u1', 'ada', ad);
    await vault.seal('u2', 'bob', 'username:u2');
    await expect(vault.open('u2', sealed, ad)).rejects.toBeInstanceOf(SecretDecryptionError);
    await expect(vault.open('u1', sealed, 'username:u2')).rejects.toBeInstanceOf(SecretDecryptionError);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    await expect(
      vault.open('u1', { ...sealed, ciphertext: flipped.toString('base64') }, ad),
    ).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('treats a missing key that was never erased as an error, not as an erasure', async () => {
    const sealed = await vaultOver().seal('u1', 'ada', ad);
    await expect(vaultOver().open('u1', sealed, ad)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('stores data keys only wrapped by the keyring: another keyring cannot unwrap them', async () => {
    const store = new MemoryDataKeyStore();
    const sealed = await vaultOver(store).seal('u1', 'ada', ad);
    const stored = await store.find(personKey('u1'));
    expect(stored).toMatchObject({ state: 'active' });
    expect(JSON.parse(stored?.state === 'active' ? stored.wrappedKey : '{}')).toMatchObject({ keyId: 'k1' });
    await expect(vaultOver(store).open('u1', sealed, ad)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('still opens values encrypted with the keyring before data keys existed', async () => {
    const ring = keyring();
    const legacy = ring.encrypt('JBSWY3DPEHPK3PXP', 'totp:u1:e1');
    expect(await vaultOver(new MemoryDataKeyStore(), ring).open('u1', legacy, 'totp:u1:e1')).toBe(
      'JBSWY3DPEHPK3PXP',
    );
  });

  it("sees another instance's erasure once its cache entry expires", async () => {
    const store = new MemoryDataKeyStore();
    const ring = keyring();
    const here = vaultOver(store, ring, 20);
    const elsewhere = vaultOver(store, ring, 20);
    const sealed = await here.seal('u1', 'ada', ad);
    expect(await here.open('u1', sealed, ad)).toBe('ada');
    await elsewhere.erase('u1');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await here.open('u1', sealed, ad)).toBeNull();
  });

  it('names values by a keyed digest: stable across instances sharing the keys, unlike the value', async () => {
    const store = new MemoryDataKeyStore();
    const ring = keyring();
    const digest = await vaultOver(store, ring).digest('ada');
    expect(await vaultOver(store, ring).digest('ada')).toBe(digest);
    expect(digest).not.toContain('ada');
    expect(await vaultOver(store, ring).digest('bob')).not.toBe(digest);
    expect(await vaultOver().digest('ada')).not.toBe(digest);
  });

  it('keeps the index key out of reach of a user erasure, whatever the user id', async () => {
    const store = new MemoryDataKeyStore();
    const ring = keyring();
    const vault = vaultOver(store, ring);
    const digest = await vault.digest('ada');
    await vault.erase('service:username-index');
    await vault.erase('username-index');
    expect(await vaultOver(store, ring).digest('ada')).toBe(digest);
  });

  it('re-wraps data keys under the newest keyring key, after which the older key can leave the ring', async () => {
    const store = new MemoryDataKeyStore();
    const k1 = { id: 'k1', key: randomBytes(32) };
    const k2 = { id: 'k2', key: randomBytes(32) };
    const before = vaultOver(store, new AesGcmSecretCipher([k1]));
    const sealed = await before.seal('u1', 'ada', ad);
    const digest = await before.digest('ada');
    await before.seal('u2', 'bob', 'username:u2');
    await before.erase('u2');

    const rotating = vaultOver(store, new AesGcmSecretCipher([k2, k1]));
    expect(await rotating.rewrapPerson('u1')).toBe('rewrapped');
    expect(await rotating.rewrapPerson('u1')).toBe('current');
    expect(await rotating.rewrapPerson('u2')).toBe('erased');
    expect(await rotating.rewrapPerson('u3')).toBe('missing');
    expect(await rotating.rewrapServiceKeys()).toBe('rewrapped');

    const after = vaultOver(store, new AesGcmSecretCipher([k2]));
    expect(await after.open('u1', sealed, ad)).toBe('ada');
    expect(await after.digest('ada')).toBe(digest);
    await expect(
      vaultOver(store, new AesGcmSecretCipher([k1])).open('u1', sealed, ad),
    ).rejects.toBeInstanceOf(SecretDecryptionError);
  });
});
