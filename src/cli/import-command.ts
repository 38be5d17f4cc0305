import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importFileLimitBytes } from '../application/use-cases/import/enrolment-file.ts';
import type { ImportReport } from '../application/use-cases/import/import-enrolments.ts';
import type { UseCases } from '../application/use-cases/index.ts';
import { type ProgressLine, progressLine } from './progress.ts';

export const importUsage = `  import <file> --office <id> [--dry-run] [--replace]
            Import existing TOTP enrolments of one office from a CSV (username,secret[,digits,period,
            algorithm,enrolledAt]) or a file of otpauth://totp/ URIs. Prints what happened to each row;
            enrolled users are skipped unless --replace; --dry-run writes nothing. Exit code 3 when a
            row was rejected.
`;

/** Thrown for a command line or file the import cannot use; the CLI prints it and exits 2. */
export class ImportUsageError extends Error {}

const parse = (args: string[]) => {
  const { values, positionals } = parseArgs({
    args,
    options: {
      office: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file] = positionals;
  if (file === undefined || positionals.length !== 1 || values.office === undefined)
    throw new ImportUsageError('import needs <file> --office <id> [--dry-run] [--replace]');
  return { file, officeId: values.office, dryRun: values['dry-run'], replace: values.replace };
};

const describeRow = (row: ImportReport['rows'][number]): string => {
  const who = `line ${row.line} ${row.username ?? '(no username)'}`;
  if (row.outcome === 'rejected') return `${who}: rejected ${row.reason} (${row.message})`;
  const parameters = row.parameters;
  const how =
    parameters === undefined ? '' : ` ${parameters.algorithm}/${parameters.digits}/${parameters.period}`;
  return `${who}: ${row.outcome}${how}`;
};

/** `import <file> --office <id>`: the per-row report on stdout, a progress line on stderr. */
export const importCommand = async (
  useCases: UseCases,
  args: string[],
): Promise<{ output: string; exitCode: number }> => {
  const options = parse(args);
  const size = statSync(options.file).size;
  if (size > importFileLimitBytes)
    throw new ImportUsageError(`${options.file} has ${size} bytes; an import file may have at most 10 MB`);
  const label = options.dryRun ? 'import (dry run)' : 'import';
  const checking = progressLine(`${label} checking`, process.stderr, 'rows');
  // Made when writing starts, so its rate and ETA count the writing only.
  let writing: ProgressLine | undefined;
  const writingLine = () => {
    writing ??= progressLine(label, process.stderr, 'rows');
    return writing;
  };
  const report = await useCases.importEnrolments(
    { id: 'cli', role: 'platform' },
    readFileSync(options.file, 'utf8'),
    { officeId: options.officeId, dryRun: options.dryRun, replace: options.replace },
    { correlationId: randomUUID(), userAgent: 'second-factor-cli' },
    (phase, done, total) => (phase === 'checking' ? checking : writingLine()).update(done, total),
  );
  const { imported, replaced, skipped, rejected } = report.counts;
  writingLine().finish(
    `${report.rows.length} rows: ${imported} imported, ${replaced} replaced, ${skipped} skipped, ${rejected} rejected` +
      (report.dryRun ? ' (dry run: nothing written)' : ''),
  );
  return { output: report.rows.map(describeRow).join('\n'), exitCode: rejected > 0 ? 3 : 0 };
};
