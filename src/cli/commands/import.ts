import { readFileSync, statSync } from 'node:fs';
import { importFileLimitBytes } from '../../application/use-cases/import/enrolment-file.ts';
import type { ImportReport } from '../../application/use-cases/import/import-enrolments.ts';
import type { UseCases } from '../../application/use-cases/index.ts';
import { tokens } from '../../main.ts';
import { cliActor, cliRequest } from '../cli-actor.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { type ProgressLine, progressLine } from '../progress.ts';
import { withScope } from '../scope.ts';

const describeRow = (row: ImportReport['rows'][number]): string => {
  const who = `line ${row.line} ${row.username ?? '(no username)'}`;
  if (row.outcome === 'rejected') return `${who}: rejected ${row.reason} (${row.message})`;
  const parameters = row.parameters;
  const how =
    parameters === undefined ? '' : ` ${parameters.algorithm}/${parameters.digits}/${parameters.period}`;
  return `${who}: ${row.outcome}${how}`;
};

/** `import <file> --office <id>`: the per-row report on stdout, a progress line on stderr. */
export const importEnrolmentsCommand: CliCommand = {
  name: 'import',
  synopsis: '<file> --office <id> [--dry-run] [--replace]',
  summary:
    'Import existing TOTP enrolments of one office from a CSV (username,secret[,digits,period,algorithm,enrolledAt]) or a file of otpauth://totp/ URIs. Prints what happened to each row; enrolled users are skipped unless --replace; --dry-run writes nothing. Exits 3 when a row was rejected.',
  options: {
    office: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
  },
  positionals: { min: 1, max: 1 },
  run: async ({ values, positionals }) => {
    const [file] = positionals;
    const officeId = values.office;
    if (file === undefined || typeof officeId !== 'string')
      throw new UsageError('import needs <file> --office <id> [--dry-run] [--replace]');
    const dryRun = values['dry-run'] === true;
    const size = statSync(file).size;
    if (size > importFileLimitBytes)
      throw new UsageError(`${file} has ${size} bytes; an import file may have at most 10 MB`);
    return withScope({ redis: true }, async (scope) => {
      const label = dryRun ? 'import (dry run)' : 'import';
      const checking = progressLine(`${label} checking`, process.stderr, 'rows');
      // Made when writing starts, so its rate and ETA count the writing only.
      let writing: ProgressLine | undefined;
      const writingLine = () => {
        writing ??= progressLine(label, process.stderr, 'rows');
        return writing;
      };
      const report = await scope
        .resolve<UseCases>(tokens.useCases)
        .importEnrolments(
          cliActor,
          readFileSync(file, 'utf8'),
          { officeId, dryRun, replace: values.replace === true },
          cliRequest(),
          (phase, done, total) => (phase === 'checking' ? checking : writingLine()).update(done, total),
        );
      const { imported, replaced, skipped, rejected } = report.counts;
      writingLine().finish(
        `${report.rows.length} rows: ${imported} imported, ${replaced} replaced, ${skipped} skipped, ${rejected} rejected` +
          (report.dryRun ? ' (dry run: nothing written)' : ''),
      );
      return {
        text: report.rows.map(describeRow).join('\n'),
        json: report,
        exitCode: rejected > 0 ? 3 : 0,
      };
    });
  },
};
