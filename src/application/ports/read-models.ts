import type { UserRole } from '../../domain/shared/actor.ts';
import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';
import type { PersonalText } from '../../domain/shared/personal-data.ts';
import type { RecordedEvent } from './event-store.ts';

/** What a login needs to know about a user, projected from the user's two streams. */
export type UserLoginView = {
  userId: string;
  officeId: string;
  username: string;
  role: UserRole;
  /** Sealed as in the event (plain in events written before sealing): see passwordMatches. */
  passwordHash: PersonalText;
  twoFactor: 'none' | 'enrolled';
  enrollmentId: string | null;
  enrolledAt: string | null;
  /** Ciphertext only: decrypted by the application when a code is checked. */
  secret: EncryptedSecret | null;
  lastAcceptedStep: number | null;
  lockedUntil: string | null;
  recoveryCodesLeft: number;
  /** Deadline of a temporary access code support issued (the code itself is only in the stream, hashed). */
  temporaryAccessUntil?: string | null;
  /** "This wasn't me": no login until support lifts it. */
  frozen?: boolean;
};

export type OfficePolicyView = {
  officeId: string;
  name: string;
  required: boolean;
  enforceFrom: string | null;
  /** Stream revision of the office: the ETag of the policy. */
  revision: number;
};

/** Everything one login check needs, read in one round trip. */
export type LoginLookup = { user: UserLoginView; office: OfficePolicyView | null };

export type MemberView = {
  userId: string;
  username: string;
  role: UserRole;
  twoFactor: 'none' | 'enrolled';
  enrolledAt: string | null;
};

export type Page<T> = { items: T[]; next: string | null };

/** Thrown when the read-model store cannot answer: callers fail closed (503), never "no 2FA". */
export class ReadModelUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReadModelUnavailableError';
  }
}

/** The login-time and admin views, fed by the projector. */
export interface ReadModels {
  /** The user with that username and their office's policy, or null when there is none. */
  loginByUsername(username: string): Promise<LoginLookup | null>;
  /** The same, by user id. */
  loginByUserId(userId: string): Promise<LoginLookup | null>;
  /** An office's 2FA policy, or null when the office is unknown. */
  officePolicy(officeId: string): Promise<OfficePolicyView | null>;
  /** Members of an office ordered by username; `after` is the `next` of the previous page. */
  officeMembers(officeId: string, page: { after: string | null; limit: number }): Promise<Page<MemberView>>;
  /** Global position of the last event applied (0 before any). */
  checkpoint(): Promise<number>;
  /** Resolves true once the checkpoint has reached `position`, false when `timeoutMs` passes first. */
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
  /** Reachability for /readyz. */
  ping(): Promise<void>;
}

/** `skipped`: already applied; `behind`: the store moved past `previousPosition` (another projector, a rebuild). */
export type ApplyOutcome = 'applied' | 'skipped' | 'behind';

/** The projector's side of the read models: applies events and advances the checkpoint atomically. */
export interface ProjectionTarget {
  /**
   * Applies one event and records its position in one transaction, only when the checkpoint is still
   * `previousPosition` (the position this projector applied last), so no event is skipped or doubled.
   */
  apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome>;
  /** The same for consecutive events at once (catch-up, rebuild): all of them or none. */
  applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome>;
  /** Global position of the last event applied (0 before any). */
  checkpoint(): Promise<number>;
}
