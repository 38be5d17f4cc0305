import { z } from 'zod';
import { userRoles } from '../../domain/shared/actor.ts';

/** Codes are checked by the TOTP adapter, not here: a malformed code gets the same 401 as a wrong one. */
export const codeField = z.string().max(64).describe('The 6-digit code from the authenticator app');
export const passwordField = z.string().min(1).max(1024);
export const usernameField = z.string().min(1).max(200);
export const tokenField = z.string().min(1).max(200);
export const idParam = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.-]+$/, 'letters, digits, dot, dash or underscore');
export const roleField = z.enum(userRoles);

export const sessionUserSchema = z
  .object({
    userId: z.string(),
    officeId: z.string(),
    role: roleField,
    username: z.string(),
  })
  .meta({ id: 'SessionUser', description: 'Who a session belongs to' });

export const reenrollmentDeadlineField = z
  .string()
  .nullable()
  .optional()
  .describe(
    "Set while the office's re-enrolment campaign asks this user to enrol a new authenticator by then",
  );

export const authenticatedSchema = z
  .object({
    status: z.literal('authenticated'),
    session: z.string().describe('Opaque session token; also set as an HttpOnly cookie'),
    user: sessionUserSchema,
    enrollmentDeadline: z
      .string()
      .nullable()
      .describe('Set when the office will require 2FA from this moment'),
    trustedBrowser: z
      .object({ browserId: z.string(), expiresAt: z.string() })
      .optional()
      .describe('This browser is now trusted; its device token is only in an HttpOnly cookie'),
    viaTrustedBrowser: z.boolean().optional().describe('The code was skipped: this browser is trusted'),
    reenrollmentDeadline: reenrollmentDeadlineField,
  })
  .meta({ id: 'Session', description: 'A signed-in session' });

/** A stream revision or store position: counted from 0. */
export const revisionField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const countField = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
