import type { TotpParameters } from '../../domain/user-security/totp-parameters.ts';

/** Outcome of checking a code: `timeStep` is the RFC 6238 counter the code matched, when it matched. */
export type TotpCheck = { valid: true; timeStep: number } | { valid: false; timeStep: null };

/**
 * TOTP (RFC 6238) over a base32 secret. Without `parameters`, SHA-1, 6 digits, 30 s: what every app
 * assumes and what the service's own enrolments use; imported enrolments bring their own.
 */
export interface Totp {
  /** A new random base32 secret (160 bits). */
  generateSecret(): string;
  /** Checks `code` at `at` within the configured window; malformed codes are simply invalid. */
  check(secret: string, code: string, at: Date, parameters?: TotpParameters): Promise<TotpCheck>;
  /** The code an authenticator app shows at `at` (tests and the reference pages' demo only). */
  generate(secret: string, at: Date, parameters?: TotpParameters): Promise<string>;
  /** The otpauth:// URI an authenticator app imports from the QR code. */
  keyUri(secret: string, accountName: string): string;
}
