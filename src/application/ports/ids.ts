/** Identifiers, through a port so that tests are deterministic. */
export interface Ids {
  /** A new unique id (UUID v4 in production). */
  next(): string;
}
