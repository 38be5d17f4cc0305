/** One-time recovery codes: at least 64 bits each, kept only as hashes. */
export interface RecoveryCodes {
  /** Ten fresh codes to show once, with the hashes to store. */
  generate(): { codes: string[]; hashes: string[] };
  /** One fresh code of the same form (support's temporary access code), with its hash. */
  generateOne(): { code: string; hash: string };
  /** The stored form of a code the user typed (normalises case, spaces and dashes). */
  hash(code: string): string;
}
