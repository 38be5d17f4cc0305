import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { checkProof, type ProofInput, signedInUser } from '../fresh-proof.ts';
import { handleCommand } from '../handle-command.ts';
import type { Session } from '../ports/session-store.ts';
import { throwIfRejected } from '../second-factor-outcome.ts';
import type { RequestContext } from './login/second-factor-step.ts';

/** Ten new recovery codes for an enrolled user, with a fresh proof; the old ones stop working. */
export const regenerateRecoveryCodes =
  (
    deps: Pick<
      ApplicationDeps,
      | 'events'
      | 'clock'
      | 'ids'
      | 'readModels'
      | 'passwords'
      | 'totp'
      | 'vault'
      | 'recoveryCodes'
      | 'notifier'
      | 'sessions'
    >,
  ) =>
  async (
    session: Session,
    proof: ProofInput,
    request: RequestContext,
  ): Promise<{ recoveryCodes: string[]; position: number | null }> => {
    const { user, actor } = await signedInUser(deps, session);
    const recovery = deps.recoveryCodes.generate();
    const now = deps.clock.now();
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(user.userId),
      async (state) => ({
        type: 'RegenerateRecoveryCodes' as const,
        userId: user.userId,
        recoveryCodeHashes: recovery.hashes,
        now: now.toISOString(),
        actor,
        proof: await checkProof(deps, user, state, proof),
      }),
      { ...request, actor },
    );
    await throwIfRejected(deps, user, outcome.newEvents, now);
    return { recoveryCodes: recovery.codes, position: outcome.position };
  };
