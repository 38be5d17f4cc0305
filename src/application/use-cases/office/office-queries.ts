import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import type { MemberView, OfficePolicyView, Page } from '../../ports/read-models.ts';

/** An office's 2FA policy with its revision (the ETag for a later change). */
export const officePolicy =
  (deps: Pick<ApplicationDeps, 'readModels'>) =>
  async (officeId: string): Promise<OfficePolicyView> => {
    const policy = await deps.readModels.officePolicy(officeId);
    if (policy === null) throw new ApplicationError('not-found', 'No such office.');
    return policy;
  };

/** One page of an office's members with their 2FA status, for the admin's compliance view. */
export const officeMembers =
  (deps: Pick<ApplicationDeps, 'readModels'>) =>
  async (officeId: string, page: { after: string | null; limit: number }): Promise<Page<MemberView>> =>
    deps.readModels.officeMembers(officeId, page);
