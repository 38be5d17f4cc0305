import type { AuditSigner } from './ports/audit-signer.ts';
import type { Clock } from './ports/clock.ts';
import type { CommonPasswords } from './ports/common-passwords.ts';
import type { EventStore } from './ports/event-store.ts';
import type { Ids } from './ports/ids.ts';
import type { Notifier } from './ports/notifier.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import type { BlindIndex, PersonalDataVault } from './ports/personal-data-vault.ts';
import type { QrRenderer } from './ports/qr-renderer.ts';
import type { ReadModels } from './ports/read-models.ts';
import type { RecoveryCodes } from './ports/recovery-codes.ts';
import type { SessionStore } from './ports/session-store.ts';
import type { Tokens } from './ports/tokens.ts';
import type { Totp } from './ports/totp.ts';

export type ApplicationSettings = {
  sessionTtlSeconds: number;
  challengeTtlSeconds: number;
  /** How long a temporary access code from support stays good (TEMPORARY_ACCESS_MAX_HOURS). */
  temporaryAccessHours: number;
  /** Four-eyes (SUPPORT_APPROVAL): a reset, temporary access or erasure waits for a second agent. */
  supportApproval: 'off' | 'required';
};

/** Every port the use cases need; each use case takes only the part it uses. */
export type ApplicationDeps = {
  events: EventStore;
  clock: Clock;
  ids: Ids;
  readModels: ReadModels;
  sessions: SessionStore;
  totp: Totp;
  /** Seals personal data (usernames, TOTP secrets) with each person's own erasable key. */
  vault: PersonalDataVault;
  blindIndex: BlindIndex;
  passwords: PasswordHasher;
  commonPasswords: CommonPasswords;
  recoveryCodes: RecoveryCodes;
  /** Device tokens of trusted browsers (256 bits), kept only as their SHA-256. */
  deviceTokens: Tokens;
  qr: QrRenderer;
  notifier: Notifier;
  /** Signs audit checkpoints (Ed25519). */
  auditSigner: AuditSigner;
  settings: ApplicationSettings;
};
