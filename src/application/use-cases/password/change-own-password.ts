import type { PasswordChangeProof } from '../../../domain/user-account/commands.ts';
import { userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { signedInUser } from '../../fresh-proof.ts';
import { foldStream, handleCommand } from '../../handle-command.ts';
import { passwordMatches } from '../../password-check.ts';
import { requireAcceptablePassword } from '../../password-policy.ts';
import type { UserLoginView } from '../../ports/read-models.ts';
import type { Session } from '../../ports/session-store.ts';
import { throwIfRejected } from '../../second-factor-outcome.ts';
import { checkCodeAgainst } from '../../totp-checks.ts';
import type { RequestContext } from '../login/second-factor-step.ts';
import { recordNewPassword } from './record-new-password.ts';

export type ChangeOwnPasswordInput = { currentPassword: string; newPassword: string; code?: string };

type Deps = Pick<
  ApplicationDeps,
  | 'events'
  | 'clock'
  | 'ids'
  | 'vault'
  | 'passwords'
  | 'sessions'
  | 'notifier'
  | 'readModels'
  | 'totp'
  | 'commonPasswords'
>;

/**
 * A fresh second factor where the user enrolled one: the code is checked and used up like a login code
 * (recorded on the security stream, so it cannot be replayed and wrong ones count towards the lock-out).
 */
const freshSecondFactor = async (
  deps: Deps,
  user: UserLoginView,
  code: string | undefined,
  request: RequestContext,
): Promise<PasswordChangeProof['secondFactor']> => {
  const streamId = userSecurityStream(user.userId);
  const security = foldStream(userSecurityDecider, await deps.events.readStream(streamId));
  if (security.enrollment === null) return 'not-enrolled';
  if (code === undefined) return 'missing';
  const now = deps.clock.now();
  const actor = { id: user.userId, role: user.role, officeId: user.officeId };
  const outcome = await handleCommand(
    deps,
    userSecurityDecider,
    streamId,
    async (state) => ({
      type: 'VerifySecondFactor' as const,
      userId: user.userId,
      check: {
        method: 'totp' as const,
        ...(await checkCodeAgainst(deps, user.userId, state.enrollment, code)),
      },
      now: now.toISOString(),
      actor,
    }),
    { ...request, actor },
  );
  await throwIfRejected(deps, user, outcome.newEvents, now);
  return 'verified';
};

/**
 * A signed-in user changes their password: the current one, a fresh code where enrolled, and a new one
 * that the policy accepts. Their other sessions end; the next login needs the new password.
 */
export const changeOwnPassword =
  (deps: Deps) =>
  async (
    session: Session,
    sessionToken: string,
    input: ChangeOwnPasswordInput,
    request: RequestContext,
  ): Promise<{ position: number | null }> => {
    requireAcceptablePassword(deps, input.newPassword);
    const { user, actor } = await signedInUser(deps, session);
    const currentPasswordValid = await passwordMatches(deps, user, input.currentPassword);
    // A wrong current password spends no code: the decider refuses before any second factor counts.
    const secondFactor = currentPasswordValid
      ? await freshSecondFactor(deps, user, input.code, request)
      : 'missing';
    const { position } = await recordNewPassword(
      deps,
      {
        userId: user.userId,
        password: input.newPassword,
        proof: { currentPasswordValid, secondFactor },
        actor,
        keepSessionToken: sessionToken,
      },
      request,
    );
    return { position };
  };
