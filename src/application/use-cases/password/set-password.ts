import type { Actor } from '../../../domain/shared/actor.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { requireAcceptablePassword } from '../../password-policy.ts';
import type { RequestContext } from '../login/second-factor-step.ts';
import { recordNewPassword } from './record-new-password.ts';

/** The platform sets a password after its own reset flow: every session of the user ends. */
export const setPassword =
  (
    deps: Pick<
      ApplicationDeps,
      'events' | 'clock' | 'ids' | 'vault' | 'passwords' | 'sessions' | 'notifier' | 'commonPasswords'
    >,
  ) =>
  async (actor: Actor, input: { userId: string; password: string }, request: RequestContext) => {
    requireAcceptablePassword(deps, input.password);
    return recordNewPassword(deps, { ...input, proof: null, actor }, request);
  };
