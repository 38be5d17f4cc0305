/** What an office asks of its members' second factor at a moment. */
export type OfficeDemand = {
  required: boolean;
  /** Members not yet enrolled may log in without a code until then. */
  enforceFrom: string | null;
  reenrollment: { startedAt: string; deadline: string } | null;
};

/** `due`: by `deadline`; `overdue`: since `deadline` (null: required at once). */
export type ComplianceStatus = 'compliant' | 'due' | 'overdue' | 'not-required';

export type MemberCompliance = { status: ComplianceStatus; deadline: string | null };

const before = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);

/** An enrolment made before a campaign started is replaced under it; one made at that moment is new. */
export const enrolledBefore = (enrolledAt: string, startedAt: string): boolean =>
  before(enrolledAt, startedAt);

/**
 * Whether an enrolment must be replaced under the office's re-enrolment campaign: it was made before
 * the campaign started (an enrolment at the very moment it started counts as new).
 */
export const reenrollmentDue = (
  enrolledAt: string | null,
  reenrollment: OfficeDemand['reenrollment'],
): reenrollment is NonNullable<OfficeDemand['reenrollment']> =>
  enrolledAt !== null && reenrollment !== null && enrolledBefore(enrolledAt, reenrollment.startedAt);

/** From the deadline on (the deadline itself included), an old enrolment no longer opens a session. */
export const reenrollmentOverdue = (
  enrolledAt: string | null,
  reenrollment: OfficeDemand['reenrollment'],
  at: string,
): boolean => reenrollmentDue(enrolledAt, reenrollment) && !before(at, reenrollment.deadline);

/** Where one member stands at `at`, given their enrolment (null: none) and what the office asks. */
export const memberCompliance = (
  office: OfficeDemand,
  enrolledAt: string | null,
  at: string,
): MemberCompliance => {
  const campaign = office.reenrollment;
  if (reenrollmentDue(enrolledAt, campaign))
    return { status: before(at, campaign.deadline) ? 'due' : 'overdue', deadline: campaign.deadline };
  if (enrolledAt !== null) return { status: 'compliant', deadline: null };
  if (!office.required) return { status: 'not-required', deadline: null };
  if (office.enforceFrom !== null && before(at, office.enforceFrom))
    return { status: 'due', deadline: office.enforceFrom };
  return { status: 'overdue', deadline: office.enforceFrom };
};

export type ComplianceTotals = Record<ComplianceStatus, number> & { members: number };

/** Counts per status; `members` is their sum. */
export const complianceTotals = (statuses: readonly ComplianceStatus[]): ComplianceTotals => {
  const totals: ComplianceTotals = { members: 0, compliant: 0, due: 0, overdue: 0, 'not-required': 0 };
  for (const status of statuses) {
    totals[status] += 1;
    totals.members += 1;
  }
  return totals;
};
