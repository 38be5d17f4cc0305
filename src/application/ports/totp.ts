/** Outcome of checking a code: `timeStep` is the RFC 6238 counter the code matched, when it matched. */
export type TotpCheck = { valid: true; timeStep: number } | { valid: false; timeStep: null };

/** TOTP (RFC 6238, SHA-1, 6 digits, 30 s) over a base32 secret. */
export interface Totp {
  /** A new random base32 secret (160 bits). */
  generateSecret(): string;
  /** Checks `code` at `at` within the configured window; malformed codes are simply invalid. */
  check(secret: string, code: string, at: Date): Promise<TotpCheck>;
  /** The code an authenticator app shows at `at` (tests and the reference pages' demo only). */
  generate(secret: string, at: Date): Promise<string>;
  /** The otpauth:// URI an authenticator app imports from the QR code. */
  keyUri(secret: string, accountName: string): string;
}
