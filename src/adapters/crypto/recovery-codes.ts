import { createHash, randomBytes } from 'node:crypto';
import type { RecoveryCodes } from '../../application/ports/recovery-codes.ts';

/** Crockford-style base32 without look-alikes (no i, l, o, u): 5 bits per character. */
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
const charactersPerCode = 16;
export const recoveryCodeBits = charactersPerCode * Math.log2(alphabet.length);

const normalize = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

const newCode = (): string => {
  const bytes = randomBytes(charactersPerCode);
  const characters = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return characters.match(/.{4}/g)!.join('-');
};

/** Ten 80-bit codes shown as `xxxx-xxxx-xxxx-xxxx`, kept as SHA-256 of their normalised form. */
export class Sha256RecoveryCodes implements RecoveryCodes {
  generate(): { codes: string[]; hashes: string[] } {
    const codes = new Set<string>();
    while (codes.size < 10) codes.add(newCode());
    return { codes: [...codes], hashes: [...codes].map((code) => this.hash(code)) };
  }

  generateOne(): { code: string; hash: string } {
    const code = newCode();
    return { code, hash: this.hash(code) };
  }

  hash(code: string): string {
    return createHash('sha256').update(normalize(code)).digest('hex');
  }
}
