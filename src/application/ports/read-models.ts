import type { UserRole } from '../../domain/shared/actor.ts';
import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';
import type { PersonalText } from '../../domain/shared/personal-data.ts';
import type { TotpParameters } from '../../domain/user-security/totp-parameters.ts';
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
  /** How the enrolled app computes its codes; null when not enrolled. */
  totpParameters: TotpParameters | null;
  lastAcceptedStep: number | null;
  lockedUntil: string | null;
  recoveryCodesLeft: number;
  /** Deadline of a temporary access code support issued (the code itself is only in the stream, hashed). */
  temporaryAccessUntil?: string | null;
  /** "This wasn't me": no login until support lifts it. */
  frozen?: boolean;
  /** Browsers trusted to skip the code, by the SHA-256 of their device token (never the token). */
  trustedBrowsers?: TrustedBrowserView[];
  /** When a second factor last let this user in (absent in documents projected before it was kept). */
  lastSecondFactorAt?: string | null;
};

export type TrustedBrowserView = {
  browserId: string;
  tokenDigest: string;
  trustedAt: string;
  expiresAt: string;
};

/** An office's re-enrolment campaign: enrolments made before `startedAt` are due by `deadline`. */
export type ReenrollmentView = { startedAt: string; deadline: string; reason: string };

export type OfficePolicyView = {
  officeId: string;
  name: string;
  required: boolean;
  enforceFrom: string | null;
  /** Days a browser trusted after a second factor skips the code (0 or absent: off). */
  trustBrowserDays?: number;
  /** The campaign in force (absent in documents projected before campaigns existed: none). */
  reenrollment?: ReenrollmentView | null;
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
  lastSecondFactorAt: string | null;
};

export type Page<T> = { items: T[]; next: string | null };

/** Thrown when the read-model store cannot answer: callers fail closed (503), never "no 2FA". */
export class ReadModelUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReadModelUnavailableError';
  }
}

/**
 * Thrown while no complete read models of this event store are there to answer: being built, lost (an
 * emptied Redis), or made from another store or a later history. Callers answer 503, never a guess.
 */
export class ReadModelsRebuildingError extends ReadModelUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'ReadModelsRebuildingError';
  }
}

/** The login-time and admin views, fed by the projector. Reads throw ReadModelsRebuildingError until a complete set serves. */
export interface ReadModels {
  /** The user with that username and their office's policy, or null when there is none. */
  loginByUsername(username: string): Promise<LoginLookup | null>;
  /** The same, by user id. */
  loginByUserId(userId: string): Promise<LoginLookup | null>;
  /** An office's 2FA policy, or null when the office is unknown. */
  officePolicy(officeId: string): Promise<OfficePolicyView | null>;
  /** Every office's policy, ordered by office id. */
  offices(): Promise<OfficePolicyView[]>;
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

/** Where a set of read models came from, and how far it got. */
export type ReadModelOrigin = {
  /** Which set this is (a Redis generation, a build of the SQLite file): `reject` names it. */
  setId: string;
  /** The event store's id (EventStore.storeId) the set was built from. */
  storeId: string;
  /** The store's head when the build began: the set serves only once its checkpoint has reached it. */
  target: number;
  checkpoint: number;
  /** Readers use it: it was promoted complete and not rejected since. */
  serving: boolean;
  /** Found wrong (another store, beyond the store's head): never served or resumed again. */
  rejected: boolean;
  /** The projectionVersion the set was built with (1: before versions were recorded). */
  projection: number;
};

/** Applies events and advances the checkpoint atomically. */
export interface AppliesEvents {
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

/**
 * A set of read models being built; readers see it only once it is promoted. `applyBatch` may be called
 * again before the call before it settled: batches are applied in the order of the calls, each one only
 * after the one before it (a batch that follows one refused is refused too).
 */
export interface ReadModelsBuild extends AppliesEvents {
  origin(): Promise<ReadModelOrigin | null>;
  /** Switches readers to this set when its checkpoint has reached its target; false (nothing changed) otherwise. */
  promote(): Promise<boolean>;
}

/** The projector's side of the read models. */
export interface ProjectionTarget extends AppliesEvents {
  /** Origin of the set readers use, or null when there is none (never built, or lost). */
  origin(): Promise<ReadModelOrigin | null>;
  /**
   * Rejects the set readers use, when it is still `setId` (the set that was judged, not one promoted
   * since): it answers nothing from now on and is never resumed.
   */
  reject(setId: string): Promise<void>;
  /** A build that was started and neither promoted nor rejected (to resume it), or null. */
  unfinishedBuild(): Promise<ReadModelsBuild | null>;
  /**
   * Starts an empty set built from `storeId` up to `target`. Where sets live side by side (Redis
   * generations) the one readers use keeps serving until promoted over; a single set (SQLite) stops serving.
   */
  startBuild(storeId: string, target: number): Promise<ReadModelsBuild>;
}
