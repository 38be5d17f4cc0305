/** A list of the passwords people pick most often (NIST SP 800-63B: refuse those). */
export interface CommonPasswords {
  /** True when the password is on the list, compared without case. */
  includes(password: string): boolean;
}
