import { dictionary } from '@zxcvbn-ts/language-common';
import type { CommonPasswords } from '../../application/ports/common-passwords.ts';

/**
 * The zxcvbn-ts list of common passwords (about 49,000, from leaked password sets), loaded on first
 * use so a service that never sets a password does not hold it.
 */
export class CommonPasswordList implements CommonPasswords {
  #list: Set<string> | null = null;

  includes(password: string): boolean {
    this.#list ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
    return this.#list.has(password.toLowerCase());
  }
}
