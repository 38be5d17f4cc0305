import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';

/** Thrown when data is sealed for a person who was erased: nothing new is kept about them. */
export class SubjectErasedError extends Error {
  constructor(subjectId: string) {
    super(`The personal data of ${subjectId} was erased.`);
    this.name = 'SubjectErasedError';
  }
}

/**
 * Crypto-shredding: personal data is sealed with its subject's own data key, so that erasing that one key
 * makes every sealed copy (events, backups of them) unreadable while the events stay whole.
 */
export interface PersonalDataVault {
  /** Seals with the subject's key, making it on first use; throws SubjectErasedError once erased. */
  seal(subjectId: string, plaintext: string, associatedData: string): Promise<EncryptedSecret>;
  /**
   * The plaintext, or null when the subject was erased. Throws SecretDecryptionError when the value was
   * tampered with or its key is missing without having been erased.
   */
  open(subjectId: string, sealed: EncryptedSecret, associatedData: string): Promise<string | null>;
  /** Deletes the subject's key for good; true when there was one to delete. */
  erase(subjectId: string): Promise<boolean>;
}

/** A keyed digest that names a stream after a value without revealing the value (a blind index). */
export interface BlindIndex {
  digest(value: string): Promise<string>;
}

/** The associated data that ties a sealed username to its user. */
export const usernameAssociatedData = (userId: string): string => `username:${userId}`;

/** The associated data that ties a sealed password hash to its user. */
export const passwordHashAssociatedData = (userId: string): string => `password-hash:${userId}`;

/** The associated data that ties a sealed request origin (IP, user agent) to the person who acted. */
export const originAssociatedData = (actorId: string): string => `origin:${actorId}`;

/** What re-wrapping one data key did: already under the newest keyring key, re-wrapped, or nothing to do. */
export type RewrapOutcome = 'rewrapped' | 'current' | 'erased' | 'missing';

/** Keyring rotation: re-wraps data keys under the newest keyring key, so older keys can be retired. */
export interface DataKeyRotation {
  /** The id of the keyring key that wraps from now on. */
  readonly currentKeyId: string;
  rewrapPerson(subjectId: string): Promise<RewrapOutcome>;
  /** The service's own keys kept with the data keys (the username index key). */
  rewrapServiceKeys(): Promise<RewrapOutcome>;
}
