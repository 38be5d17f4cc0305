export const domainErrorCodes = [
  'not-permitted',
  'office-not-found',
  'office-already-registered',
  'user-not-found',
  'user-already-registered',
  'already-enrolled',
  'not-enrolled',
  'enrollment-not-found',
  'enrollment-expired',
  'invalid-code',
  'invalid-password',
  'code-already-used',
  'invalid-recovery-code',
  'locked-out',
  'office-requires-two-factor',
  'account-frozen',
  'not-frozen',
  'no-temporary-access',
  'invalid-command',
  'code-required',
  'password-too-short',
  'password-too-long',
  'password-too-common',
  'enforce-from-in-past',
  'support-request-not-found',
  'support-request-closed',
  'support-request-expired',
  'support-request-pending',
  'own-support-request',
  'trusted-browser-not-found',
  'deadline-in-past',
  'reenrollment-in-progress',
  'no-reenrollment',
] as const;
export type DomainErrorCode = (typeof domainErrorCodes)[number];

/** A rule of the domain said no. `code` is stable and mapped to HTTP in one place. */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export const isDomainError = (error: unknown, code?: DomainErrorCode): error is DomainError =>
  error instanceof DomainError && (code === undefined || error.code === code);
