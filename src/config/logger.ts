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

/** Characters of log lines joined before they are handed on, about the 8 KiB written at once. */
const batchChars = 8192;

/**
 * The service's stdout, one per process: lines are gathered up to 8 KiB and written asynchronously,
 * at the latest half a second after they were logged (and what is left when the process exits),
 * instead of one blocking write per line. The lines are joined here and handed to sonic-boom as one
 * string per batch: given them one at a time, it measures its whole growing buffer at every line
 * (Buffer.byteLength of a concatenated string), about 2–3 µs per line.
 */
export const serviceLogDestination = (): pino.DestinationStream => {
  if (serviceStdout === null) {
    const destination = pino.destination({ dest: 1, sync: false, minLength: batchChars });
    let lines: string[] = [];
    let chars = 0;
    const handOn = () => {
      if (lines.length === 0) return;
      const batch = lines.join('');
      lines = [];
      chars = 0;
      destination.write(batch);
    };
    // Before sonic-boom's own exit handler writes out what it holds (pino registers it at 'exit').
    process.prependListener('exit', handOn);
    process.prependListener('beforeExit', handOn);
    setInterval(() => {
      handOn();
      destination.flush();
    }, 500).unref();
    serviceStdout = {
      write: (line: string) => {
        lines.push(line);
        chars += line.length;
        if (chars >= batchChars) handOn();
      },
    };
  }
  return serviceStdout;
};
