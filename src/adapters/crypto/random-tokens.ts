import { createHash, randomBytes } from 'node:crypto';
import type { Tokens } from '../../application/ports/tokens.ts';

/** 256-bit random tokens, stored as their SHA-256. */
export class RandomTokens implements Tokens {
  issue(): string {
    return randomBytes(32).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
