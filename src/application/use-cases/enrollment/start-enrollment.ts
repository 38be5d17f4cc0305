import { DomainError } from '../../../domain/shared/domain-error.ts';
import { userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import { actorOf } from '../../acting-user.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import { officeReenrollmentSince } from '../../office-requirement.ts';
import { passwordMatches } from '../../password-check.ts';
import { totpSecretAssociatedData } from '../../ports/secret-cipher.ts';
import type { RequestContext } from '../login/second-factor-step.ts';
import { type EnrollmentAuth, enrollingUser } from './enrolling-user.ts';

export type StartEnrollmentResult = {
  enrollmentId: string;
  otpauthUri: string;
  /** Base32, for typing into an app by hand; shown once, stored only encrypted. */
  secret: string;
  qr: { pngDataUrl: string; svg: string };
  expiresAt: string;
  position: number | null;
};

/**
 * Starts an enrolment: a fresh secret, stored encrypted in the event, returned once as QR code and
 * text. A signed-in user proves it is them with their password; a held-back login has just done so.
 */
export const startEnrollment =
  (
    deps: Pick<
      ApplicationDeps,
      'events' | 'clock' | 'ids' | 'sessions' | 'readModels' | 'passwords' | 'totp' | 'vault' | 'qr'
    >,
  ) =>
  async (
    auth: EnrollmentAuth,
    input: { password?: string },
    request: RequestContext,
  ): Promise<StartEnrollmentResult> => {
    const user = await enrollingUser(deps, auth);
    if (auth.kind === 'session') {
      const proven = input.password !== undefined && (await passwordMatches(deps, user, input.password));
      if (!proven) throw new DomainError('invalid-password', 'Confirm with your current password.');
    }
    const secret = deps.totp.generateSecret();
    const enrollmentId = deps.ids.next();
    const encrypted = await deps.vault.seal(
      user.userId,
      secret,
      totpSecretAssociatedData(user.userId, enrollmentId),
    );
    const now = deps.clock.now().toISOString();
    const actor = actorOf(user);
    const reenrollmentSince = await officeReenrollmentSince(deps, user.officeId);
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(user.userId),
      () => ({
        type: 'StartTotpEnrollment' as const,
        userId: user.userId,
        enrollmentId,
        secret: encrypted,
        reenrollmentSince,
        now,
        actor,
      }),
      { ...request, actor },
    );
    const started = outcome.newEvents.find((event) => event.type === 'TotpEnrollmentStarted');
    const otpauthUri = deps.totp.keyUri(secret, user.username);
    return {
      enrollmentId,
      otpauthUri,
      secret,
      qr: await deps.qr.render(otpauthUri),
      expiresAt: started?.data.expiresAt ?? now,
      position: outcome.position,
    };
  };
