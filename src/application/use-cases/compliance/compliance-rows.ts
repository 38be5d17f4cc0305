import {
  type ComplianceStatus,
  type ComplianceTotals,
  complianceTotals,
  memberCompliance,
  type OfficeDemand,
} from '../../../domain/office/compliance.ts';
import type { UserRole } from '../../../domain/shared/actor.ts';
import type { ReenrollmentView } from '../../ports/read-models.ts';
import { memberKey } from '../../projections/documents.ts';

/** What the report needs of one member, wherever it was read from (read models or history). */
export type MemberFacts = {
  userId: string;
  username: string;
  role: UserRole;
  enrolledAt: string | null;
  lastSecondFactorAt: string | null;
};

export type OfficeFacts = OfficeDemand & {
  officeId: string;
  name: string;
  reenrollment: ReenrollmentView | null;
};

export type ComplianceRow = MemberFacts & {
  twoFactor: 'none' | 'enrolled';
  status: ComplianceStatus;
  deadline: string | null;
};

export type ComplianceReport = {
  officeId: string;
  name: string;
  at: string;
  required: boolean;
  enforceFrom: string | null;
  reenrollment: ReenrollmentView | null;
  /** During a campaign: enrolled members on a new authenticator, and those still on an old one. */
  reenrollmentProgress: { renewed: number; remaining: number } | null;
  totals: ComplianceTotals;
  items: ComplianceRow[];
  next: string | null;
};

/** `limit: null`: every row (the CSV export). */
export type ReportPage = { after: string | null; limit: number | null };

const keyOf = (member: MemberFacts) => memberKey(member.username, member.userId);
const byKey = (a: MemberFacts, b: MemberFacts) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);

/**
 * The report of one office at `at` from its members' facts: one row per member by username, totals over
 * all of them, and the page asked for (the cursor is the last row's member key, base64url).
 */
export const complianceReport = (
  office: OfficeFacts,
  members: readonly MemberFacts[],
  at: string,
  page: ReportPage,
): ComplianceReport => {
  const rows = [...members].sort(byKey).map(
    (member): ComplianceRow => ({
      ...member,
      twoFactor: member.enrolledAt === null ? 'none' : 'enrolled',
      ...memberCompliance(office, member.enrolledAt, at),
    }),
  );
  const after = page.after === null ? null : Buffer.from(page.after, 'base64url').toString('utf8');
  const start = after === null ? 0 : rows.findIndex((row) => keyOf(row) > after);
  const from = start < 0 ? rows.length : start;
  const to = page.limit === null ? rows.length : from + page.limit;
  const items = rows.slice(from, to);
  const last = items.at(-1);
  return {
    officeId: office.officeId,
    name: office.name,
    at,
    required: office.required,
    enforceFrom: office.enforceFrom,
    reenrollment: office.reenrollment,
    reenrollmentProgress: office.reenrollment === null ? null : progressOf(rows),
    totals: complianceTotals(rows.map((row) => row.status)),
    items,
    next:
      to < rows.length && last !== undefined ? Buffer.from(keyOf(last), 'utf8').toString('base64url') : null,
  };
};

const progressOf = (rows: ComplianceRow[]) => {
  const enrolled = rows.filter((row) => row.twoFactor === 'enrolled');
  const renewed = enrolled.filter((row) => row.status === 'compliant').length;
  return { renewed, remaining: enrolled.length - renewed };
};
