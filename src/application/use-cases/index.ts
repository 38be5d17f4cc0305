import { AuditCheckpointer } from '../audit-chain/checkpointer.ts';
import { verifyStream } from '../audit-chain/verify-chain.ts';
import type { CommandContext } from '../command-context.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { loginThrottleBucket } from '../trusted-browsers/login-throttle.ts';
import {
  endTrustedBrowsers,
  listTrustedBrowsers,
  revokeTrustedBrowser,
} from '../trusted-browsers/manage-trusted-browsers.ts';
import { type AuditFilter, auditEvents } from './audit/audit-events.ts';
import { signedAuditExport } from './audit/signed-export.ts';
import { officePolicyAt, userTwoFactorAt } from './audit/state-at.ts';
import { complianceAt } from './compliance/compliance-at.ts';
import { complianceNow, complianceSummary } from './compliance/compliance-now.ts';
import { disableTwoFactor } from './disable-two-factor.ts';
import { confirmEnrollment } from './enrollment/confirm-enrollment.ts';
import { startEnrollment } from './enrollment/start-enrollment.ts';
import { freezeAccount, unfreezeAccount } from './freeze-account.ts';
import { importEnrolments } from './import/import-enrolments.ts';
import { login } from './login/login.ts';
import { secondFactorStep } from './login/second-factor-step.ts';
import { loginRequirements } from './login-requirements.ts';
import { officeMembers, officePolicy } from './office/office-queries.ts';
import { endReenrollment, requireReenrollment } from './office/reenrollment.ts';
import { setOfficePolicy } from './office/set-office-policy.ts';
import { changeOwnPassword } from './password/change-own-password.ts';
import { setPassword } from './password/set-password.ts';
import { changeRole } from './provisioning/change-role.ts';
import { registerOffice } from './provisioning/register-office.ts';
import { registerUser } from './provisioning/register-user.ts';
import { regenerateRecoveryCodes } from './regenerate-recovery-codes.ts';
import { eraseUser } from './support-erase-user.ts';
import { findUserForSupport } from './support-find-user.ts';
import { approveSupportRequest, supportActionOrRequest } from './support-requests/approve-support-request.ts';
import { pendingSupportRequests, withdrawSupportRequest } from './support-requests/support-requests.ts';
import { supportReset } from './support-reset.ts';
import { endTemporaryAccess, issueTemporaryAccess } from './support-temporary-access.ts';
import { twoFactorStatus } from './two-factor-status.ts';

/** The support actions as they run without four-eyes; an approval runs them too. */
const supportActions = (deps: ApplicationDeps) => ({
  'two-factor-reset': supportReset(deps),
  'temporary-access': issueTemporaryAccess(deps),
  erasure: eraseUser(deps),
});

/** Every use case, bound to its ports: what the HTTP and CLI adapters call. */
export const createUseCases = (deps: ApplicationDeps, checkpointer = new AuditCheckpointer(deps)) => ({
  login: login(deps),
  secondFactorStep: secondFactorStep(deps),
  startEnrollment: startEnrollment(deps),
  confirmEnrollment: confirmEnrollment(deps),
  disableTwoFactor: disableTwoFactor(deps),
  regenerateRecoveryCodes: regenerateRecoveryCodes(deps),
  twoFactorStatus: twoFactorStatus(deps),
  officePolicy: officePolicy(deps),
  officeMembers: officeMembers(deps),
  complianceNow: complianceNow(deps),
  complianceAt: complianceAt(deps),
  complianceSummary: complianceSummary(deps),
  requireReenrollment: requireReenrollment(deps),
  endReenrollment: endReenrollment(deps),
  setOfficePolicy: setOfficePolicy(deps),
  findUserForSupport: findUserForSupport(deps),
  supportReset: supportActionOrRequest(deps, 'two-factor-reset', supportReset(deps)),
  /** Support's erasure, held under four-eyes; `eraseUser` is the platform's (CLI) and never held. */
  supportErasure: supportActionOrRequest(deps, 'erasure', eraseUser(deps)),
  eraseUser: eraseUser(deps),
  issueTemporaryAccess: supportActionOrRequest(deps, 'temporary-access', issueTemporaryAccess(deps)),
  pendingSupportRequests: pendingSupportRequests(deps),
  approveSupportRequest: approveSupportRequest(deps, supportActions(deps)),
  withdrawSupportRequest: withdrawSupportRequest(deps),
  endTemporaryAccess: endTemporaryAccess(deps),
  freezeAccount: freezeAccount(deps),
  unfreezeAccount: unfreezeAccount(deps),
  registerOffice: registerOffice(deps),
  registerUser: registerUser(deps),
  changeRole: changeRole(deps),
  importEnrolments: importEnrolments(deps),
  changeOwnPassword: changeOwnPassword(deps),
  setPassword: setPassword(deps),
  loginRequirements: loginRequirements(deps),
  auditEvents: auditEvents(deps),
  verifyStreamChain: (streamId: string) => verifyStream(deps.events, streamId),
  signedAuditExport: (filter: AuditFilter) => signedAuditExport(deps, filter),
  signAuditCheckpoint: (context: CommandContext) => checkpointer.checkpoint(context),
  signAuditCheckpointIfChanged: (context: CommandContext) => checkpointer.checkpointIfChanged(context),
  auditSigningKeys: () => deps.auditSigner.publicKeys(),
  userTwoFactorAt: userTwoFactorAt(deps),
  officePolicyAt: officePolicyAt(deps),
  loginThrottleBucket: loginThrottleBucket(deps),
  listTrustedBrowsers: listTrustedBrowsers(deps),
  revokeTrustedBrowser: revokeTrustedBrowser(deps),
  /** The hook a re-enrolment campaign's deadline calls (why `reenrolment-deadline`) for each member it makes due. */
  endTrustedBrowsers: endTrustedBrowsers(deps),
});

export type UseCases = ReturnType<typeof createUseCases>;
