import { describe, expect, it } from 'vitest';
import { CommonPasswordList } from '../../../src/adapters/crypto/common-password-list.ts';

describe('common password list (zxcvbn-ts)', () => {
  const list = new CommonPasswordList();

  it('knows the most common passwords, without regard to case', () => {
    for (const common of ['123456', 'password', 'Password', 'QWERTY', 'iloveyou', 'dragon'])
      expect(list.includes(common), common).toBe(true);
  });

  it('lets an uncommon passphrase through', () => {
    expect(list.includes('a brand new passphrase')).toBe(false);
    expect(list.includes('route tests password 1')).toBe(false);
  });
});
