/** Password hashing (argon2id, PHC strings). */
export interface PasswordHasher {
  /** A PHC string for `password` with a fresh salt. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `phc`; a malformed hash is a mismatch, in constant time. */
  verify(phc: string, password: string): Promise<boolean>;
  /** Costs what `verify` costs and answers false: for unknown usernames, so timing does not tell. */
  verifyAgainstDummy(password: string): Promise<false>;
}
