import { type Logger, pino } from 'pino';

/** Paths pino replaces with [redacted] wherever they appear in a log object. */
export const redactedPaths = [
  'password',
  'newPassword',
  'code',
  'recoveryCode',
  'recoveryCodes',
  'secret',
  'otpauthUri',
  'token',
  'session',
  'challenge',
  'authorization',
  'cookie',
  '*.password',
  '*.code',
  '*.recoveryCode',
  '*.recoveryCodes',
  '*.secret',
  '*.otpauthUri',
  '*.token',
  '*.session',
  '*.challenge',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export const createLogger = (level: string, destination?: pino.DestinationStream): Logger =>
  pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
