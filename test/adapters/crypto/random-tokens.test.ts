import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';

describe('RandomTokens', () => {
  const tokens = new RandomTokens();

  it('issues URL-safe tokens of at least 256 bits', () => {
    for (let round = 0; round < 100; round += 1) {
      const token = tokens.issue();
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(token)).toBe(token);
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
      expect(token.length * 6).toBeGreaterThanOrEqual(256);
    }
  });

  it('issues a different token each time', () => {
    const issued = new Set(Array.from({ length: 1000 }, () => tokens.issue()));
    expect(issued.size).toBe(1000);
  });

  it('digests as lower-case SHA-256 hex, never the token itself', () => {
    const token = tokens.issue();
    const digest = tokens.digest(token);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(createHash('sha256').update(token).digest('hex'));
    expect(digest).not.toBe(token);
    expect(digest).not.toContain(token);
    expect(digest).not.toBe(Buffer.from(token, 'base64url').toString('hex'));
  });

  it('digests deterministically and tells tokens apart', () => {
    const [a, b] = [tokens.issue(), tokens.issue()];
    expect(tokens.digest(a)).toBe(tokens.digest(a));
    expect(new RandomTokens().digest(a)).toBe(tokens.digest(a));
    expect(tokens.digest(a)).not.toBe(tokens.digest(b));
  });

  it('matches the known SHA-256 of a fixed input', () => {
    expect(tokens.digest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
