import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recoveryCodeBits, Sha256RecoveryCodes } from '../../../src/adapters/crypto/recovery-codes.ts';

const format = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('S11 Sha256RecoveryCodes: 10 codes of 80 bits, stored hashed', () => {
  const recoveryCodes = new Sha256RecoveryCodes();

  it('generates ten codes shaped xxxx-xxxx-xxxx-xxxx', () => {
    const { codes } = recoveryCodes.generate();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(format);
  });

  it('avoids look-alike letters (i, l, o, u) and upper case', () => {
    for (let round = 0; round < 50; round += 1) {
      for (const code of recoveryCodes.generate().codes) expect(code).not.toMatch(/[ilouA-Z]/);
    }
  });

  it('gives each code at least 80 bits (the checklist asks for 64)', () => {
    expect(recoveryCodeBits).toBeGreaterThanOrEqual(80);
    // 16 characters from a 32-character alphabet.
    const { codes } = recoveryCodes.generate();
    expect(codes[0]!.replace(/-/g, '')).toHaveLength(16);
    expect(16 * Math.log2(32)).toBe(recoveryCodeBits);
  });

  it('uses the whole alphabet, roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let round = 0; round < 200; round += 1) {
      for (const code of recoveryCodes.generate().codes) {
        for (const character of code.replace(/-/g, ''))
          counts.set(character, (counts.get(character) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(32);
    // 32,000 characters: about 1,000 each; a biased generator would stray far from that.
    for (const count of counts.values()) expect(count).toBeGreaterThan(700);
    for (const count of counts.values()) expect(count).toBeLessThan(1300);
  });

  it('generates unique codes within a set and across sets', () => {
    const all = new Set<string>();
    for (let round = 0; round < 100; round += 1) {
      const { codes } = recoveryCodes.generate();
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) all.add(code);
    }
    expect(all.size).toBe(1000);
  });

  it('returns one hash per code, in the same order, never the code itself', () => {
    const { codes, hashes } = recoveryCodes.generate();
    expect(hashes).toHaveLength(10);
    codes.forEach((code, index) => {
      expect(hashes[index]).toBe(recoveryCodes.hash(code));
      expect(hashes[index]).toMatch(/^[0-9a-f]{64}$/);
      expect(hashes.join()).not.toContain(code);
      expect(hashes.join()).not.toContain(code.replace(/-/g, ''));
    });
    expect(new Set(hashes).size).toBe(10);
  });

  it('hashes deterministically as SHA-256 of the normalised code', () => {
    const code = 'ab12-cd34-ef56-gh78';
    expect(recoveryCodes.hash(code)).toBe(recoveryCodes.hash(code));
    expect(new Sha256RecoveryCodes().hash(code)).toBe(recoveryCodes.hash(code));
    expect(recoveryCodes.hash(code)).toBe(sha256('ab12cd34ef56gh78'));
  });

  it.each([
    ['upper case', 'AB12-CD34-EF56-GH78'],
    ['mixed case', 'Ab12-cD34-eF56-Gh78'],
    ['no dashes', 'ab12cd34ef56gh78'],
    ['spaces instead of dashes', 'ab12 cd34 ef56 gh78'],
    ['surrounding whitespace', '  ab12-cd34-ef56-gh78\n'],
    ['tabs and extra dashes', 'ab12\t--cd34-ef56--gh78'],
  ])('normalises %s before hashing', (_label, typed) => {
    expect(recoveryCodes.hash(typed)).toBe(recoveryCodes.hash('ab12-cd34-ef56-gh78'));
  });

  it('tells different codes apart', () => {
    expect(recoveryCodes.hash('ab12-cd34-ef56-gh78')).not.toBe(recoveryCodes.hash('ab12-cd34-ef56-gh79'));
    expect(recoveryCodes.hash('ab12-cd34-ef56-gh78')).not.toBe(recoveryCodes.hash('ab12-cd34-ef56-gh7'));
    expect(recoveryCodes.hash('')).not.toBe(recoveryCodes.hash('ab12-cd34-ef56-gh78'));
  });

  it('accepts a generated code typed back in upper case without dashes', () => {
    const { codes, hashes } = recoveryCodes.generate();
    const typed = codes[3]!.toUpperCase().replace(/-/g, ' ');
    expect(hashes).toContain(recoveryCodes.hash(typed));
    expect(hashes.indexOf(recoveryCodes.hash(typed))).toBe(3);
  });
});
