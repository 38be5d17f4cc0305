/** Opaque bearer tokens (sessions, login challenges) and the form in which they are stored. */
export interface Tokens {
  /** A new random token of at least 256 bits, URL-safe. */
  issue(): string;
  /** The stored, non-reversible form of a token (SHA-256). */
  digest(token: string): string;
}
