/**
 * A subject's data key as stored: wrapped (encrypted with the service keyring), or gone for good (with
 * the time when the store keeps it).
 */
export type StoredDataKey =
  | { state: 'active'; wrappedKey: string }
  | { state: 'erased'; erasedAt: string | null };

/**
 * Per-person data keys, kept apart from the immutable events so that one person's key can be deleted.
 * Each adapter passes test/contracts/data-key-store.contract.ts.
 */
export interface DataKeyStore {
  /** The subject's key, or null when none was ever made. */
  find(subjectId: string): Promise<StoredDataKey | null>;
  /**
   * Stores `wrappedKey` unless the subject has a key or was erased, and returns what is stored afterwards:
   * of two racing creations one wins and both callers get the winner.
   */
  create(subjectId: string, wrappedKey: string): Promise<StoredDataKey>;
  /**
   * Replaces the wrapped key (re-wrapped under a newer keyring key) only while it is still
   * `expectedWrappedKey`: false when it changed or was erased meanwhile, or there is none.
   */
  replace(subjectId: string, expectedWrappedKey: string, newWrappedKey: string): Promise<boolean>;
  /** Deletes the key and leaves a tombstone, so that none is made again; true when a key was deleted. */
  erase(subjectId: string, erasedAt: string): Promise<boolean>;
  close(): Promise<void>;
}
