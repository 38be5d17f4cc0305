import type { Actor } from '../../../domain/shared/actor.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import type { PasswordChangeProof } from '../../../domain/user-account/commands.ts';
import { userAccountStream } from '../../../domain/user-account/events.ts';
import { userAccountDecider } from '../../../domain/user-account/index.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { foldStream, handleCommand } from '../../handle-command.ts';
import { sealedPasswordHash } from '../../password-check.ts';
import { endTrustedBrowsers } from '../../trusted-browsers/manage-trusted-browsers.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

export type NewPassword = {
  userId: string;
  password: string;
  proof: PasswordChangeProof | null;
  actor: Actor;
  /** The session that asked (kept); every other session of the user ends. */
  keepSessionToken?: string;
};

/**
 * Records `PasswordChanged` with the new hash sealed like the registration's, ends the user's other
 * sessions and every trusted browser (`password-changed`: a browser trusted under the old password
 * asks for the code again), and tells the platform. The decider rules on the proof.
 */
export const recordNewPassword = async (
  deps: Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'passwords' | 'sessions' | 'notifier'>,
  change: NewPassword,
  request: RequestContext,
): Promise<{ position: number | null; officeId: string | null }> => {
  const { userId, actor } = change;
  // Sealing makes a data key: none for an id that names no user.
  const account = foldStream(userAccountDecider, await deps.events.readStream(userAccountStream(userId)));
  if (account.status !== 'registered') throw new DomainError('user-not-found', 'No such user.');
  const passwordHash = await sealedPasswordHash(deps, userId, change.password);
  const outcome = await handleCommand(
    deps,
    userAccountDecider,
    userAccountStream(userId),
    () => ({ type: 'ChangePassword' as const, userId, passwordHash, proof: change.proof, actor }),
    { ...request, actor },
  );
  await deps.sessions.revokeUserSessions(userId, change.keepSessionToken);
  const officeId = outcome.state.status === 'registered' ? outcome.state.officeId : null;
  const trusts =
    officeId === null
      ? null
      : await endTrustedBrowsers(deps)(
          actor,
          { userId, officeId, why: 'password-changed', trustedAtOrBefore: null },
          request,
        );
  deps.notifier.notify({
    type: 'password-changed',
    occurredAt: deps.clock.now().toISOString(),
    userId,
    ...(officeId === null ? {} : { officeId }),
    details: { by: actor.role === 'platform' || actor.role === 'system' ? 'platform' : 'user' },
  });
  return { position: trusts?.position ?? outcome.position, officeId };
};
