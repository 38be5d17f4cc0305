import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import type { MemberView, OfficePolicyView, ReadModels } from '../../ports/read-models.ts';
import {
  type ComplianceReport,
  complianceReport,
  type OfficeFacts,
  type ReportPage,
} from './compliance-rows.ts';

const membersPerRead = 500;

/** Every member of an office from the read models, page by page. */
export const allMembers = async (readModels: ReadModels, officeId: string): Promise<MemberView[]> => {
  const members: MemberView[] = [];
  for (let after: string | null = null; ; ) {
    const page = await readModels.officeMembers(officeId, { after, limit: membersPerRead });
    members.push(...page.items);
    if (page.next === null) return members;
    after = page.next;
  }
};

export const officeFacts = (policy: OfficePolicyView): OfficeFacts => ({
  officeId: policy.officeId,
  name: policy.name,
  required: policy.required,
  enforceFrom: policy.enforceFrom,
  reenrollment: policy.reenrollment ?? null,
});

/** An office's compliance now, from the read models. */
export const complianceNow =
  (deps: Pick<ApplicationDeps, 'readModels' | 'clock'>) =>
  async (officeId: string, page: ReportPage): Promise<ComplianceReport> => {
    const policy = await deps.readModels.officePolicy(officeId);
    if (policy === null) throw new ApplicationError('not-found', 'No such office.');
    const members = await allMembers(deps.readModels, officeId);
    return complianceReport(officeFacts(policy), members, deps.clock.now().toISOString(), page);
  };

export type OfficeComplianceSummary = {
  officeId: string;
  name: string;
  required: boolean;
  reenrollmentDeadline: string | null;
  members: number;
  compliant: number;
  /** Share of members compliant, 0–100 with one decimal; null for an office without members. */
  compliantPercent: number | null;
};

/** Every office: required or not, members and the share compliant now (support and auditors). */
export const complianceSummary =
  (deps: Pick<ApplicationDeps, 'readModels' | 'clock'>) => async (): Promise<OfficeComplianceSummary[]> => {
    const at = deps.clock.now().toISOString();
    const summaries: OfficeComplianceSummary[] = [];
    for (const policy of await deps.readModels.offices()) {
      const members = await allMembers(deps.readModels, policy.officeId);
      const { totals } = complianceReport(officeFacts(policy), members, at, { after: null, limit: 0 });
      summaries.push({
        officeId: policy.officeId,
        name: policy.name,
        required: policy.required,
        reenrollmentDeadline: policy.reenrollment?.deadline ?? null,
        members: totals.members,
        compliant: totals.compliant,
        compliantPercent:
          totals.members === 0 ? null : Math.round((totals.compliant / totals.members) * 1000) / 10,
      });
    }
    return summaries;
  };
