/** One-time recovery codes: at least 64 bits each, kept only as hashes. */
export interface RecoveryCodes {
  /** Ten fresh codes to show once, with the hashes to store. */
  generate(): { codes: string[]; hashes: string[] };
  /** The stored form of a code the user typed (normalises case, spaces and dashes). */
  hash(code: string): string;
}
