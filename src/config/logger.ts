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

let serviceStdout: pino.DestinationStream | null = null;

/**
 * The service's stdout, one per process: lines are gathered up to 8 KiB and written asynchronously,
 * at the latest half a second after they were logged (pino writes what is left when the process exits),
 * instead of one blocking write per line.
 */
export const serviceLogDestination = (): pino.DestinationStream => {
  if (serviceStdout === null) {
    const destination = pino.destination({ dest: 1, sync: false, minLength: 8192 });
    setInterval(() => destination.flush(), 500).unref();
    serviceStdout = destination;
  }
  return serviceStdout;
};
