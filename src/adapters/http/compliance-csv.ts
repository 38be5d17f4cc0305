import type {
  ComplianceReport,
  ComplianceRow,
} from '../../application/use-cases/compliance/compliance-rows.ts';

const columns = [
  'username',
  'userId',
  'role',
  'twoFactor',
  'enrolledAt',
  'lastSecondFactorAt',
  'status',
  'deadline',
] as const;

/** RFC 4180 quoting; a leading =, +, -, @, tab or CR is defused so spreadsheets never run it as a formula. */
const field = (value: string | null): string => {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The report's status in words: `compliant`, `due by <deadline>`, `overdue`, `not required`. */
export const statusInWords = (row: Pick<ComplianceRow, 'status' | 'deadline'>): string =>
  row.status === 'due'
    ? `due by ${row.deadline}`
    : row.status === 'not-required'
      ? 'not required'
      : row.status;

/** The whole report as CSV (UTF-8, CRLF, a header row), one line per member. */
export const complianceCsv = (report: ComplianceReport): string =>
  [
    columns.join(','),
    ...report.items.map((row) =>
      columns.map((column) => field(column === 'status' ? statusInWords(row) : row[column])).join(','),
    ),
  ]
    .map((line) => `${line}\r\n`)
    .join('');
