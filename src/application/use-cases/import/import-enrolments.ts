import { officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { Actor } from '../../../domain/shared/actor.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import type { TotpParameters } from '../../../domain/user-security/totp-parameters.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { foldStream, handleCommand } from '../../handle-command.ts';
import { totpSecretAssociatedData } from '../../ports/secret-cipher.ts';
import type { RequestContext } from '../login/second-factor-step.ts';
import {
  type EnrolmentRow,
  type FileFormat,
  type RowRejection,
  readEnrolmentFile,
  rowRejections,
} from './enrolment-file.ts';
import { findUserByUsername } from './find-user.ts';

export type ImportOptions = { officeId: string; dryRun: boolean; replace: boolean };

/** What happened to one row (in a dry run: what would happen). The secret is never part of it. */
export type ImportRowReport = {
  line: number;
  username: string | null;
  outcome: 'imported' | 'replaced' | 'skipped' | 'rejected';
  userId?: string;
  parameters?: TotpParameters;
  reason?: RowRejection;
  message?: string;
};

export type ImportReport = {
  officeId: string;
  format: FileFormat;
  dryRun: boolean;
  counts: Record<ImportRowReport['outcome'], number>;
  rows: ImportRowReport[];
  /** Global position of the last event written, for read-your-writes; null when nothing was written. */
  position: number | null;
};

/** First every row is checked, then the accepted ones are written: `done` of `total` rows in each phase. */
export type ImportProgress = (phase: 'checking' | 'writing', done: number, total: number) => void;

type ImportDeps = Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'blindIndex'>;
type Accepted = Extract<EnrolmentRow, { ok: true }> & { username: string; userId: string };

/** Rows are written a few at a time: each is its own stream, and the store's round trips overlap. */
const parallelAppends = 8;

const refusal = (row: { line: number; username: string | null }, reason: RowRejection): ImportRowReport => ({
  line: row.line,
  username: row.username,
  outcome: 'rejected',
  reason,
  message: rowRejections[reason],
});

const reportOf = (row: Accepted, outcome: ImportRowReport['outcome']): ImportRowReport => ({
  line: row.line,
  username: row.username,
  outcome,
  userId: row.userId,
  parameters: row.parameters,
});

/** Every row is checked (format, secret, user, office) before the first one is written. */
const checkRows = async (
  deps: ImportDeps,
  officeId: string,
  rows: EnrolmentRow[],
  onProgress: ImportProgress,
): Promise<(Accepted | ImportRowReport)[]> => {
  const checked: (Accepted | ImportRowReport)[] = [];
  for (const row of rows) {
    onProgress('checking', checked.length, rows.length);
    if (!row.ok || row.username === null) {
      checked.push(refusal(row, row.ok ? 'missing-field' : row.reason));
      continue;
    }
    const user = await findUserByUsername(deps, row.username);
    if (user === null) checked.push(refusal(row, 'unknown-user'));
    else if (user.officeId !== officeId) checked.push(refusal(row, 'other-office'));
    else checked.push({ ...row, username: row.username, userId: user.userId });
  }
  onProgress('checking', checked.length, rows.length);
  return checked;
};

const isAccepted = (row: Accepted | ImportRowReport): row is Accepted => 'userId' in row && 'secret' in row;

/** A frozen account's 2FA changes only after support lifts the freeze: that row is refused, not the file. */
const frozen = (row: Accepted): ImportRowReport => ({
  ...refusal(row, 'account-frozen'),
  userId: row.userId,
});

/** What the row does to the user's enrolment, without writing anything. */
const dryRunRow = async (deps: ImportDeps, row: Accepted, replace: boolean): Promise<ImportRowReport> => {
  const state = foldStream(userSecurityDecider, await deps.events.readStream(userSecurityStream(row.userId)));
  if (state.enrollment === null) return state.frozenAt === null ? reportOf(row, 'imported') : frozen(row);
  if (!replace) return reportOf(row, 'skipped');
  return state.frozenAt === null ? reportOf(row, 'replaced') : frozen(row);
};

/** Seals the secret with the user's data key, exactly like a native enrolment's, and records TotpImported. */
const importRow = async (
  deps: ImportDeps,
  row: Accepted,
  options: ImportOptions,
  actor: Actor,
  request: RequestContext,
): Promise<{ report: ImportRowReport; position: number | null }> => {
  const enrollmentId = deps.ids.next();
  const secret = await deps.vault.seal(
    row.userId,
    row.secret,
    totpSecretAssociatedData(row.userId, enrollmentId),
  );
  const outcome = await handleCommand(
    deps,
    userSecurityDecider,
    userSecurityStream(row.userId),
    () => ({
      type: 'ImportTotp' as const,
      userId: row.userId,
      enrollmentId,
      secret,
      parameters: row.parameters,
      source: { format: row.format, line: row.line },
      ...(row.originallyEnrolledAt === undefined ? {} : { originallyEnrolledAt: row.originallyEnrolledAt }),
      replace: options.replace,
      now: deps.clock.now().toISOString(),
      actor,
    }),
    { ...request, actor },
  ).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'account-frozen') return null;
    throw error;
  });
  if (outcome === null) return { report: frozen(row), position: null };
  const event = outcome.newEvents.find((candidate) => candidate.type === 'TotpImported');
  const result = event === undefined ? 'skipped' : event.data.replaced ? 'replaced' : 'imported';
  return { report: reportOf(row, result), position: outcome.position };
};

/**
 * Imports existing TOTP enrolments of one office from a CSV or otpauth URI file. Every row is validated
 * first; then each accepted user gets one atomic append, so no user is ever half-imported. Already
 * enrolled users are skipped unless `replace`; a re-run of the same file therefore changes nothing.
 */
export const importEnrolments =
  (deps: ImportDeps) =>
  async (
    actor: Actor,
    file: string,
    options: ImportOptions,
    request: RequestContext,
    onProgress: ImportProgress = () => {},
  ): Promise<ImportReport> => {
    const office = foldStream(officeDecider, await deps.events.readStream(officeStream(options.officeId)));
    if (office.status !== 'registered') throw new DomainError('office-not-found', 'No such office.');
    const { format, rows } = readEnrolmentFile(file);
    const checked = await checkRows(deps, options.officeId, rows, onProgress);
    const reports: ImportRowReport[] = [];
    let position: number | null = null;
    for (let start = 0; start < checked.length; start += parallelAppends) {
      const batch = checked.slice(start, start + parallelAppends);
      const done = await Promise.all(
        batch.map(async (row) => {
          if (!isAccepted(row)) return { report: row, position: null };
          if (options.dryRun) return { report: await dryRunRow(deps, row, options.replace), position: null };
          return importRow(deps, row, options, actor, request);
        }),
      );
      for (const result of done) {
        reports.push(result.report);
        if (result.position !== null) position = Math.max(position ?? 0, result.position);
      }
      onProgress('writing', Math.min(start + parallelAppends, checked.length), checked.length);
    }
    const counts = { imported: 0, replaced: 0, skipped: 0, rejected: 0 };
    for (const report of reports) counts[report.outcome] += 1;
    return { officeId: options.officeId, format, dryRun: options.dryRun, counts, rows: reports, position };
  };
