/** A time-limited right to be the one instance that does something (run the projector). */
export interface Lease {
  /** Takes the lease when free, or extends it when this instance holds it; false when another does. */
  acquireOrRenew(): Promise<boolean>;
  /** Gives the lease up if this instance holds it. */
  release(): Promise<void>;
}
