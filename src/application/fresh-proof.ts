import type { Actor } from '../domain/shared/actor.ts';
import type { Proof } from '../domain/user-security/commands.ts';
import type { UserSecurityState } from '../domain/user-security/state.ts';
import { actorOf } from './acting-user.ts';
import { ApplicationError } from './application-error.ts';
import type { ApplicationDeps } from './dependencies.ts';
import { passwordMatches } from './password-check.ts';
import type { UserLoginView } from './ports/read-models.ts';
import type { Session } from './ports/session-store.ts';
import { checkCodeAgainst } from './totp-checks.ts';

/** What a signed-in user sends to prove it is still them: a current code or the password. */
export type ProofInput = { code: string } | { password: string };

/** The signed-in user as the read models know them, and the actor their commands run as. */
export const signedInUser = async (
  deps: Pick<ApplicationDeps, 'readModels'>,
  session: Session,
): Promise<{ user: UserLoginView; actor: Actor }> => {
  const lookup = await deps.readModels.loginByUserId(session.userId);
  if (lookup === null) throw new ApplicationError('unauthenticated', 'The account no longer exists.');
  const { user } = lookup;
  return { user, actor: actorOf(user) };
};

/** Checks the proof against the state the command will decide on (the code against its enrolment). */
export const checkProof = async (
  deps: Pick<ApplicationDeps, 'vault' | 'totp' | 'clock' | 'passwords'>,
  user: UserLoginView,
  state: UserSecurityState,
  proof: ProofInput,
): Promise<Proof> =>
  'code' in proof
    ? { kind: 'code', ...(await checkCodeAgainst(deps, user.userId, state.enrollment, proof.code)) }
    : { kind: 'password', valid: await passwordMatches(deps, user, proof.password) };
