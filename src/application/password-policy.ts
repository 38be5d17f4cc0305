import { DomainError } from '../domain/shared/domain-error.ts';
import type { ApplicationDeps } from './dependencies.ts';

/** NIST SP 800-63B: at least 8 characters, at least 64 allowed, no other composition rules. */
export const minPasswordLength = 8;
export const maxPasswordLength = 128;

/** Refuses a new password that is too short, too long or one of the most common ones. */
export const requireAcceptablePassword = (
  deps: Pick<ApplicationDeps, 'commonPasswords'>,
  password: string,
): void => {
  // Characters as people count them (code points), not UTF-16 units.
  const length = [...password.normalize('NFC')].length;
  if (length < minPasswordLength)
    throw new DomainError('password-too-short', `A password needs at least ${minPasswordLength} characters.`);
  if (length > maxPasswordLength)
    throw new DomainError('password-too-long', `A password has at most ${maxPasswordLength} characters.`);
  if (deps.commonPasswords.includes(password))
    throw new DomainError(
      'password-too-common',
      'This password is among the most common ones; pick another.',
    );
};
