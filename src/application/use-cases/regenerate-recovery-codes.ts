import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import { ApplicationError } from '../application-error.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { handleCommand } from '../handle-command.ts';
import type { Session } from '../ports/session-store.ts';
import { throwIfRejected } from '../second-factor-outcome.ts';
import { checkCodeAgainst } from '../totp-checks.ts';
import type { DisableProof } from './disable-two-factor.ts';
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
      | 'cipher'
      | 'recoveryCodes'
      | 'notifier'
    >,
  ) =>
  async (
    session: Session,
    proof: DisableProof,
    request: RequestContext,
  ): Promise<{ recoveryCodes: string[]; position: number | null }> => {
    const lookup = await deps.readModels.loginByUserId(session.userId);
    if (lookup === null) throw new ApplicationError('unauthenticated', 'The account no longer exists.');
    const { user } = lookup;
    const actor = { id: user.userId, role: user.role, officeId: user.officeId };
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
        proof:
          'code' in proof
            ? {
                kind: 'code' as const,
                ...(await checkCodeAgainst(deps, user.userId, state.enrollment, proof.code)),
              }
            : {
                kind: 'password' as const,
                valid: await deps.passwords.verify(user.passwordHash, proof.password),
              },
      }),
      { ...request, actor },
    );
    throwIfRejected(deps, user, outcome.newEvents, now);
    return { recoveryCodes: recovery.codes, position: outcome.position };
  };
