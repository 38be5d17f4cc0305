export const applicationErrorCodes = [
  'invalid-credentials',
  'invalid-challenge',
  'unauthenticated',
  'not-found',
  'revision-mismatch',
  'too-many-attempts',
  'service-unavailable',
  'account-frozen',
  'invalid-freeze-token',
] as const;
export type ApplicationErrorCode = (typeof applicationErrorCodes)[number];

/** A use case refused for a reason outside the domain's rules (credentials, challenges, preconditions). */
export class ApplicationError extends Error {
  readonly code: ApplicationErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ApplicationErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApplicationError';
    this.code = code;
    this.details = details;
  }
}
