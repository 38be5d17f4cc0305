/** Password hashing (argon2id, PHC strings). */
export interface PasswordHasher {
  /** A PHC string for `password` with a fresh salt. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `phc`; a malformed hash is a mismatch, in constant time. */
  verify(phc: string, password: string): Promise<boolean>;
  /** Costs what `verify` costs and answers false: for unknown usernames, so timing does not tell. */
  verifyAgainstDummy(password: string): Promise<false>;
}

/** Too many password checks are running or waiting: the caller should come back after `retryAfterSeconds`. */
export class PasswordHashingBusyError extends Error {
  readonly retryAfterSeconds: number;

  constructor(reason: 'queue-full' | 'deadline', retryAfterSeconds: number) {
    super(
      reason === 'queue-full'
        ? 'Too many password checks are waiting; try again shortly.'
        : 'A password check waited too long for its turn; try again shortly.',
    );
    this.name = 'PasswordHashingBusyError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
