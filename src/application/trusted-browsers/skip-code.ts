import { userSecurityStream } from '../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../domain/user-security/index.ts';
import { actorOf } from '../acting-user.ts';
import type { CommandContext } from '../command-context.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { handleCommand } from '../handle-command.ts';
import { type OpenedSession, openSessionUsingChallenge } from '../open-session.ts';
import { holdsTrustedBrowser } from './trusted-browser-check.ts';

type SkipDeps = Pick<
  ApplicationDeps,
  'events' | 'clock' | 'ids' | 'vault' | 'readModels' | 'sessions' | 'settings' | 'deviceTokens'
>;

/**
 * After the right password, a browser holding a valid device token of the user skips the code: the
 * user's stream decides (`TrustedBrowserUsed`, which auditors see) and the login's challenge becomes the
 * session. Fails closed: whatever goes wrong, the answer is null and the login asks for the code.
 */
export const skipCodeWithTrustedBrowser =
  (deps: SkipDeps, onError: (error: unknown) => void = () => {}) =>
  async (
    userId: string,
    deviceToken: string,
    challenge: string,
    request: Omit<CommandContext, 'actor'>,
  ): Promise<OpenedSession | null> => {
    try {
      const tokenDigest = deps.deviceTokens.digest(deviceToken);
      const lookup = await deps.readModels.loginByUserId(userId);
      const now = deps.clock.now();
      if (lookup === null || !holdsTrustedBrowser(lookup, tokenDigest, now)) return null;
      const actor = actorOf(lookup.user);
      const outcome = await handleCommand(
        deps,
        userSecurityDecider,
        userSecurityStream(userId),
        () => ({
          type: 'UseTrustedBrowser' as const,
          userId,
          tokenDigest,
          trustBrowserDays: lookup.office?.trustBrowserDays ?? 0,
          now: now.toISOString(),
          actor,
        }),
        { ...request, actor },
      );
      if (!outcome.newEvents.some((event) => event.type === 'TrustedBrowserUsed')) return null;
      return await openSessionUsingChallenge(deps, lookup.user, now, challenge);
    } catch (error) {
      onError(error);
      return null;
    }
  };
