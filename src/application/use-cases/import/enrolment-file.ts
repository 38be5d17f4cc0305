import { base32nopad } from '@scure/base';
import { parse as parseCsv } from 'csv-parse/sync';
import { isoInstant } from '../../../domain/shared/schema.ts';
import { normalizeUsername } from '../../../domain/user-account/username-events.ts';
import {
  defaultTotpParameters,
  type TotpParameters,
  totpParametersSchema,
} from '../../../domain/user-security/totp-parameters.ts';

/** A file of existing enrolments may be far larger than any other request, but not unbounded. */
export const importFileLimitBytes = 10 * 1024 * 1024;

/** Why a row is refused: stable codes, each with a sentence for people. */
export const rowRejections = {
  'unreadable-row': 'The row is not valid CSV (quotes or columns).',
  'missing-field': 'The row needs a username and a secret.',
  'invalid-uri': 'The line is not an otpauth://totp/ URI with a secret and an account name.',
  'invalid-base32': 'The secret is not base32 (letters A-Z and digits 2-7).',
  'secret-too-short': 'The secret has fewer than 128 bits (26 base32 characters); enrol this user anew.',
  'unsupported-algorithm': 'The algorithm must be SHA1, SHA256 or SHA512.',
  'unsupported-digits': 'Codes must have 6 or 8 digits.',
  'unsupported-period': 'The period must be 30 or 60 seconds.',
  'invalid-enrolled-at': 'enrolledAt must be a UTC time like 2024-01-31T09:00:00Z.',
  'duplicate-user': 'The user appears more than once in this file; none of their rows is imported.',
  'unknown-user': 'No user with this username exists.',
  'other-office': 'The user belongs to another office.',
  'account-frozen': 'The account is frozen; support lifts the freeze before anything changes its 2FA.',
} as const;
export type RowRejection = keyof typeof rowRejections;

export type FileFormat = 'csv' | 'otpauth-uri';

/** One row read from the file: the plaintext secret stays in memory only until it is sealed. */
export type EnrolmentRow = {
  line: number;
  /** Normalized; null when the row had none that could be read. */
  username: string | null;
  format: FileFormat;
} & (
  | { ok: true; secret: string; parameters: TotpParameters; originallyEnrolledAt?: string }
  | { ok: false; reason: RowRejection }
);

const minimumSecretBytes = 16;
const csvColumns = ['username', 'secret', 'digits', 'period', 'algorithm', 'enrolledAt'] as const;
type Fields = Partial<Record<(typeof csvColumns)[number], string>>;

const rejected = (line: number, username: string | null, format: FileFormat, reason: RowRejection) =>
  ({ line, username, format, ok: false, reason }) as const;

/** Authenticators show secrets in groups, in either case, sometimes padded: one canonical form. */
const canonicalSecret = (raw: string): { secret: string } | { reason: RowRejection } => {
  const secret = raw.replace(/[\s-]/g, '').toUpperCase().replace(/=+$/, '');
  let bytes: Uint8Array;
  try {
    bytes = base32nopad.decode(secret);
  } catch {
    return { reason: 'invalid-base32' };
  }
  if (secret === '' || bytes.length < minimumSecretBytes) return { reason: 'secret-too-short' };
  return { secret };
};

const parameterOf = <K extends keyof TotpParameters>(
  key: K,
  raw: string | undefined,
  read: (value: string) => unknown,
): TotpParameters[K] | null => {
  if (raw === undefined || raw.trim() === '') return defaultTotpParameters[key];
  const parsed = totpParametersSchema.shape[key].safeParse(read(raw.trim()));
  return parsed.success ? (parsed.data as TotpParameters[K]) : null;
};

/** Checks one row's fields; the user's existence is checked later, against the store. */
const validate = (line: number, format: FileFormat, fields: Fields): EnrolmentRow => {
  const username = fields.username === undefined ? '' : normalizeUsername(fields.username);
  const user = username === '' ? null : username;
  if (user === null || fields.secret === undefined || fields.secret.trim() === '')
    return rejected(line, user, format, 'missing-field');
  const secret = canonicalSecret(fields.secret);
  if ('reason' in secret) return rejected(line, user, format, secret.reason);
  const algorithm = parameterOf('algorithm', fields.algorithm, (value) =>
    value.toUpperCase().replace('-', ''),
  );
  if (algorithm === null) return rejected(line, user, format, 'unsupported-algorithm');
  const digits = parameterOf('digits', fields.digits, Number);
  if (digits === null) return rejected(line, user, format, 'unsupported-digits');
  const period = parameterOf('period', fields.period, Number);
  if (period === null) return rejected(line, user, format, 'unsupported-period');
  const enrolledAt = fields.enrolledAt?.trim() ?? '';
  let originallyEnrolledAt: string | undefined;
  if (enrolledAt !== '') {
    const instant = new Date(enrolledAt);
    if (Number.isNaN(instant.getTime()) || !/(Z|[+-]\d\d:?\d\d)$/.test(enrolledAt))
      return rejected(line, user, format, 'invalid-enrolled-at');
    originallyEnrolledAt = isoInstant.parse(instant.toISOString());
  }
  return {
    line,
    username: user,
    format,
    ok: true,
    secret: secret.secret,
    parameters: { algorithm, digits, period },
    ...(originallyEnrolledAt === undefined ? {} : { originallyEnrolledAt }),
  };
};

/** `otpauth://totp/Issuer:account?secret=…&algorithm=…&digits=…&period=…` (Key Uri Format). */
const uriFields = (text: string): Fields | null => {
  let uri: URL;
  try {
    uri = new URL(text);
  } catch {
    return null;
  }
  if (uri.protocol !== 'otpauth:' || uri.host.toLowerCase() !== 'totp') return null;
  let label: string;
  try {
    label = decodeURIComponent(uri.pathname.replace(/^\//, ''));
  } catch {
    return null;
  }
  const account = label.includes(':') ? label.slice(label.indexOf(':') + 1) : label;
  const param = (name: string) => uri.searchParams.get(name) ?? undefined;
  return {
    username: account,
    secret: param('secret'),
    algorithm: param('algorithm'),
    digits: param('digits'),
    period: param('period'),
  };
};

const readUris = (lines: string[]): EnrolmentRow[] =>
  lines.flatMap((text, index) => {
    const trimmed = text.trim();
    if (trimmed === '') return [];
    const fields = uriFields(trimmed);
    return [
      fields === null
        ? rejected(index + 1, null, 'otpauth-uri', 'invalid-uri')
        : validate(index + 1, 'otpauth-uri', fields),
    ];
  });

/** No field of this format holds a line break: every record is one line, with or without a header. */
const recordOptions = { relax_column_count: true, trim: true } as const;

/** One line's fields, or null when the line is not valid CSV. */
const csvLine = (text: string): string[] | null => {
  try {
    const records = parseCsv(text, recordOptions) as string[][];
    return records.length === 1 ? records[0]! : null;
  } catch {
    return null;
  }
};

type NumberedRecord = { line: number; record: string[] | null };

/**
 * The file's non-empty lines, each read as one record: in one parse when every line is one (4x faster),
 * else line by line, so a broken line costs its own length once. csv-parse's recovery from errors across
 * a whole file (`skip_records_with_error`) took quadratic time on a file of quotes (32,000 in a row:
 * 4.8 s, the event loop blocked) and lost good rows after a broken one.
 */
const csvRecords = (lines: string[]): NumberedRecord[] => {
  const numbered = lines.flatMap((text, index) => (text.trim() === '' ? [] : [{ line: index + 1, text }]));
  try {
    const whole = parseCsv(numbered.map(({ text }) => text).join('\n'), recordOptions) as string[][];
    if (whole.length === numbered.length)
      return numbered.map(({ line }, index) => ({ line, record: whole[index]! }));
  } catch {
    // A broken line somewhere: read each on its own below.
  }
  return numbered.map(({ line, text }) => ({ line, record: csvLine(text) }));
};

const readCsv = (lines: string[]): EnrolmentRow[] => {
  const records = csvRecords(lines);
  const first = records[0]?.record?.map((name) => name.trim().toLowerCase()) ?? [];
  const header = first.includes('username') && first.includes('secret') ? first : null;
  const columns = header ?? [...csvColumns];
  return (header === null ? records : records.slice(1)).map(({ line, record }) => {
    // The raw row holds a secret: only its line is reported, never its text.
    if (record === null || record.length > columns.length)
      return rejected(line, null, 'csv', 'unreadable-row');
    const fields: Fields = {};
    columns.forEach((name, index) => {
      const known = csvColumns.find((column) => column.toLowerCase() === name.toLowerCase());
      if (known !== undefined) fields[known] = record[index];
    });
    return validate(line, 'csv', fields);
  });
};

/**
 * Reads a CSV (`username,secret[,digits,period,algorithm,enrolledAt]`, with or without that header) or
 * a file of otpauth://totp/ URIs, one per line, with or without a byte order mark, with LF or CRLF.
 * Every row gets a verdict; a user named twice is refused in every row, since which secret is right is unknown.
 */
export const readEnrolmentFile = (text: string): { format: FileFormat; rows: EnrolmentRow[] } => {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  const firstLine = lines.find((line) => line.trim() !== '')?.trim() ?? '';
  const format: FileFormat = /^otpauth:/i.test(firstLine) ? 'otpauth-uri' : 'csv';
  const rows = format === 'csv' ? readCsv(lines) : readUris(lines);
  const seen = new Map<string, number>();
  for (const row of rows)
    if (row.username !== null) seen.set(row.username, (seen.get(row.username) ?? 0) + 1);
  return {
    format,
    rows: rows.map((row) =>
      row.username !== null && (seen.get(row.username) ?? 0) > 1 && row.ok
        ? rejected(row.line, row.username, row.format, 'duplicate-user')
        : row,
    ),
  };
};
