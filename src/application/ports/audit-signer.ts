/** A public key that verifies audit checkpoints: Ed25519, as base64 SPKI DER (and the same as PEM). */
export type AuditPublicKey = { keyId: string; algorithm: 'Ed25519'; publicKey: string; pem: string };

/** Signs audit checkpoints with the newest key; older keys stay listed so older checkpoints still verify. */
export interface AuditSigner {
  /** The id of the key that signs from now on. */
  readonly keyId: string;
  /** The base64 Ed25519 signature of `message` with the newest key. */
  sign(message: string): string;
  /** Every key in force, newest first. */
  publicKeys(): AuditPublicKey[];
}
