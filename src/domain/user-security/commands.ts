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
  | { type: 'VerifySecondFactor'; userId: string; check: SecondFactorCheck; now: string; actor: Actor }
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
