import type { Actor } from '../shared/actor.ts';
import type { EncryptedSecret } from '../shared/encrypted-secret.ts';
import type { TotpParameters } from './totp-parameters.ts';

/** The outcome of checking a TOTP code, established by the application (the domain does no crypto). */
export type CodeCheck = { valid: boolean; timeStep: number | null };

export type Proof = ({ kind: 'code' } & CodeCheck) | { kind: 'password'; valid: boolean };

export type SecondFactorCheck =
  | ({ method: 'totp' } & CodeCheck)
  | { method: 'recovery-code'; codeHash: string }
  | { method: 'temporary-access'; codeHash: string };

/** A browser to trust once the second factor succeeds: the application made its token and digest. */
export type BrowserToTrust = {
  browserId: string;
  tokenDigest: string;
  /** What the user sees in their list (the browser's user agent, shortened). */
  description: string;
  /** The office's `trustBrowserDays` at this login; 0 trusts nothing. */
  trustBrowserDays: number;
};

/** Why trusted browsers end other than by their user or by time (TrustedBrowserRevoked.why). */
export type TrustEndingReason = 'erased' | 'policy-lowered' | 'reenrolment-deadline' | 'password-changed';

export type UserSecurityCommand =
  | {
      type: 'StartTotpEnrollment';
      userId: string;
      enrollmentId: string;
      secret: EncryptedSecret;
      /** Start of the office's re-enrolment campaign: an enrolment from before it may be replaced. */
      reenrollmentSince?: string | null;
      now: string;
      actor: Actor;
    }
  | {
      type: 'ConfirmTotpEnrollment';
      userId: string;
      enrollmentId: string;
      check: CodeCheck;
      recoveryCodeHashes: string[];
      reenrollmentSince?: string | null;
      now: string;
      actor: Actor;
    }
  | {
      type: 'DisableTotp';
      userId: string;
      proof: Proof;
      officeRequiresTwoFactor: boolean;
      now: string;
      actor: Actor;
    }
  | {
      type: 'ImportTotp';
      userId: string;
      enrollmentId: string;
      secret: EncryptedSecret;
      parameters: TotpParameters;
      source: { format: 'csv' | 'otpauth-uri'; line: number };
      originallyEnrolledAt?: string;
      /** Take the place of an existing enrolment; without it an enrolled user is left as they are. */
      replace: boolean;
      now: string;
      actor: Actor;
    }
  | {
      type: 'VerifySecondFactor';
      userId: string;
      check: SecondFactorCheck;
      /** Trusted together with a successful TOTP or recovery code, never otherwise. */
      trustBrowser?: BrowserToTrust;
      now: string;
      actor: Actor;
    }
  | {
      type: 'UseTrustedBrowser';
      userId: string;
      tokenDigest: string;
      trustBrowserDays: number;
      now: string;
      actor: Actor;
    }
  | { type: 'RevokeTrustedBrowser'; userId: string; browserId: string; now: string; actor: Actor }
  | {
      type: 'EndTrustedBrowsers';
      userId: string;
      /** The user's office: its admin may end them (a lowered `trustBrowserDays`). */
      officeId: string;
      why: TrustEndingReason;
      /** Only trusts made at or before this moment; null: all of them. */
      trustedAtOrBefore: string | null;
      now: string;
      actor: Actor;
    }
  | { type: 'ResetTwoFactorBySupport'; userId: string; reason: string; ticket: string; actor: Actor }
  | {
      type: 'RegenerateRecoveryCodes';
      userId: string;
      proof: Proof;
      recoveryCodeHashes: string[];
      now: string;
      actor: Actor;
    }
  | {
      type: 'IssueTemporaryAccess';
      userId: string;
      codeHash: string;
      expiresAt: string;
      reason: string;
      ticket: string;
      now: string;
      actor: Actor;
    }
  | { type: 'EndTemporaryAccess'; userId: string; reason: string; ticket: string; now: string; actor: Actor }
  | { type: 'FreezeAccount'; userId: string; now: string; actor: Actor }
  | { type: 'UnfreezeAccount'; userId: string; reason: string; ticket: string; actor: Actor };
