import { describe, expect, it, vi } from 'vitest';
import {
  type Argon2Cost,
  Argon2idPasswordHasher,
  owaspArgon2Cost,
} from '../../../src/adapters/crypto/argon2id-password-hasher.ts';

/** A cheap cost so the suite stays fast; the default (OWASP) cost has its own test. */
const cheap: Argon2Cost = { memoryKiB: 256, passes: 1, parallelism: 1 };

const phc = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const parse = (hash: string) => {
  const match = phc.exec(hash);
  if (match === null) throw new Error(`not a PHC argon2id string: ${hash}`);
  const [, m, t, p, salt, digest] = match;
  return {
    memoryKiB: Number(m),
    passes: Number(t),
    parallelism: Number(p),
    salt: Buffer.from(salt!, 'base64'),
    digest: Buffer.from(digest!, 'base64'),
  };
};

describe('S10 Argon2idPasswordHasher: argon2id password hashes', () => {
  const hasher = new Argon2idPasswordHasher(cheap);

  it('uses the OWASP minimum by default: m=19456 (19 MiB), t=2, p=1', async () => {
    expect(owaspArgon2Cost).toEqual({ memoryKiB: 19_456, passes: 2, parallelism: 1 });
    const defaultHasher = new Argon2idPasswordHasher();
    const hash = await defaultHasher.hash('correct horse battery staple');
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await defaultHasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await defaultHasher.verify(hash, 'correct horse battery stapler')).toBe(false);
  });

  it('produces a PHC string with the configured cost, a 128-bit salt and a 256-bit digest', async () => {
    const hash = await hasher.hash('hunter2');
    expect(hash.startsWith('$argon2id$v=19$')).toBe(true);
    const parsed = parse(hash);
    expect(parsed).toMatchObject({ memoryKiB: 256, passes: 1, parallelism: 1 });
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.digest).toHaveLength(32);
    expect(hash).not.toContain('hunter2');
    // PHC base64 is unpadded.
    expect(hash.split('$').slice(-2).join('$')).not.toContain('=');
  });

  it('verifies the right password and rejects wrong ones', async () => {
    const hash = await hasher.hash('hunter2');
    expect(await hasher.verify(hash, 'hunter2')).toBe(true);
    for (const wrong of ['hunter3', 'Hunter2', 'hunter2 ', '', 'hunter']) {
      expect(await hasher.verify(hash, wrong)).toBe(false);
    }
  });

  it('handles empty and non-ASCII passwords', async () => {
    for (const password of ['', 'pässwörd 🔐', 'x'.repeat(1000)]) {
      const hash = await hasher.hash(password);
      expect(await hasher.verify(hash, password)).toBe(true);
      expect(await hasher.verify(hash, `${password}!`)).toBe(false);
    }
  });

  it('salts every hash, so the same password hashes differently', async () => {
    const hashes = await Promise.all(Array.from({ length: 5 }, () => hasher.hash('same password')));
    expect(new Set(hashes).size).toBe(5);
    expect(new Set(hashes.map((hash) => parse(hash).salt.toString('hex'))).size).toBe(5);
    for (const hash of hashes) expect(await hasher.verify(hash, 'same password')).toBe(true);
  });

  it('verifies with the cost stored in the hash, not the current setting', async () => {
    const older = await new Argon2idPasswordHasher({ memoryKiB: 512, passes: 2, parallelism: 2 }).hash('pw');
    expect(await hasher.verify(older, 'pw')).toBe(true);
    expect(await hasher.verify(older, 'pw2')).toBe(false);
  });

  it('treats malformed hashes as a mismatch', async () => {
    const good = await hasher.hash('pw');
    const malformed = [
      '',
      'pw',
      good.replace('$argon2id$', '$argon2i$'),
      good.replace('$argon2id$', '$argon2d$'),
      good.replace('v=19', 'v=16'),
      good.slice(0, -10),
      `${good}$extra`,
      good.replace(/\$[^$]+$/, '$!!!!!!!!!!!!!!!!!!!!'),
      '$2b$12$abcdefghijklmnopqrstuu1234567890123456789012345678901', // bcrypt
    ];
    for (const hash of malformed) {
      await expect(hasher.verify(hash, 'pw')).resolves.toBe(false);
    }
  });

  it('treats a hash with out-of-range parameters as a mismatch instead of throwing', async () => {
    const good = await hasher.hash('pw');
    for (const hash of [
      good.replace('m=256', 'm=1'),
      good.replace('t=1', 't=0'),
      good.replace('p=1', 'p=0'),
    ]) {
      expect(hash).not.toBe(good);
      await expect(hasher.verify(hash, 'pw')).resolves.toBe(false);
    }
  });

  it('rejects a hash whose digest was changed', async () => {
    const hash = await hasher.hash('pw');
    const { digest } = parse(hash);
    digest[0] = (digest[0] ?? 0) ^ 0x01;
    const tampered = hash.replace(/\$[^$]+$/, `$${digest.toString('base64').replace(/=+$/, '')}`);
    expect(tampered).not.toBe(hash);
    expect(await hasher.verify(tampered, 'pw')).toBe(false);
  });

  it('verifyAgainstDummy answers false, even for plausible passwords', async () => {
    for (const password of ['', 'hunter2', 'correct horse battery staple']) {
      expect(await hasher.verifyAgainstDummy(password)).toBe(false);
    }
  });

  it('verifyAgainstDummy does the work of a real verify at the configured cost', async () => {
    const spied = new Argon2idPasswordHasher(cheap);
    const verify = vi.spyOn(spied, 'verify');
    expect(await spied.verifyAgainstDummy('guess')).toBe(false);
    expect(verify).toHaveBeenCalledTimes(1);
    const [dummyHash, password] = verify.mock.calls[0]!;
    expect(password).toBe('guess');
    expect(parse(dummyHash)).toMatchObject(cheap);
  });

  it('uses the OWASP cost for the dummy by default, so unknown users cost as much as known ones', async () => {
    const defaultHasher = new Argon2idPasswordHasher();
    const verify = vi.spyOn(defaultHasher, 'verify');
    expect(await defaultHasher.verifyAgainstDummy('guess')).toBe(false);
    expect(parse(verify.mock.calls[0]![0])).toMatchObject(owaspArgon2Cost);
  });
});

describe('argon2id stored cost bounds', () => {
  it('treats a stored hash that asks for more than 256 MiB as a mismatch instead of running it', async () => {
    const hasher = new Argon2idPasswordHasher({ memoryKiB: 64, passes: 1, parallelism: 1 });
    const stored = (await hasher.hash('pw')).replace('m=64,', 'm=9000000,');
    expect(await hasher.verify(stored, 'pw')).toBe(false);
  });
});
