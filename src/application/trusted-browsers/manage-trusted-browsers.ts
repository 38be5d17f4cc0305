import type { Actor } from '../../domain/shared/actor.ts';
import { trustEndsAt } from '../../domain/shared/browser-trust.ts';
import { userSecurityStream } from '../../domain/user-security/events.ts';
import { type TrustEndingReason, userSecurityDecider } from '../../domain/user-security/index.ts';
import type { CommandContext } from '../command-context.ts';
import type { ApplicationDeps } from '../dependencies.ts';
import { handleCommand } from '../handle-command.ts';
import { loadAggregate } from '../load-aggregate.ts';
import type { Session } from '../ports/session-store.ts';

export type TrustedBrowserListing = {
  browserId: string;
  description: string;
  trustedAt: string;
  /** When it stops skipping the code: its own deadline or the office's lower limit, whichever is first. */
  expiresAt: string;
  lastUsedAt: string | null;
  /** The browser asking holds this trust's token. */
  current: boolean;
};

type CommandDeps = Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault'>;

/** The user's trusted browsers still open, from their stream (newest first). */
export const listTrustedBrowsers =
  (deps: Pick<ApplicationDeps, 'events' | 'readModels' | 'clock' | 'deviceTokens'>) =>
  async (session: Session, deviceToken: string | undefined): Promise<TrustedBrowserListing[]> => {
    const { state } = await loadAggregate(
      deps.events,
      userSecurityDecider,
      userSecurityStream(session.userId),
    );
    const days = (await deps.readModels.officePolicy(session.officeId))?.trustBrowserDays ?? 0;
    const now = deps.clock.now().toISOString();
    const currentDigest = deviceToken ? deps.deviceTokens.digest(deviceToken) : null;
    return state.trustedBrowsers
      .map((trust) => ({
        browserId: trust.browserId,
        description: trust.description,
        trustedAt: trust.trustedAt,
        expiresAt: trustEndsAt(trust, days),
        lastUsedAt: trust.lastUsedAt,
        current: trust.tokenDigest === currentDigest,
      }))
      .filter((trust) => trust.expiresAt > now)
      .sort((a, b) => (a.trustedAt < b.trustedAt ? 1 : -1));
  };

/** The user ends one of their trusted browsers (`TrustedBrowserRevoked`, why `by-user`). */
export const revokeTrustedBrowser =
  (deps: CommandDeps) =>
  async (session: Session, browserId: string, request: Omit<CommandContext, 'actor'>) => {
    const actor: Actor = { id: session.userId, role: session.role, officeId: session.officeId };
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(session.userId),
      () => ({
        type: 'RevokeTrustedBrowser' as const,
        userId: session.userId,
        browserId,
        now: deps.clock.now().toISOString(),
        actor,
      }),
      { ...request, actor },
    );
    return { position: outcome.position };
  };

export type EndTrustedBrowsersInput = {
  userId: string;
  officeId: string;
  why: TrustEndingReason;
  /** Only trusts made at or before this moment; null: all. */
  trustedAtOrBefore: string | null;
};

/**
 * Ends a user's trusted browsers for a reason other than the user: an erasure, the office lowering
 * `trustBrowserDays`, or a re-enrolment campaign's deadline (the hook a campaign calls for every member
 * whose enrolment it makes due). Nothing is appended when there is nothing to end.
 */
export const endTrustedBrowsers =
  (deps: CommandDeps) =>
  async (
    actor: Actor,
    input: EndTrustedBrowsersInput,
    request: Omit<CommandContext, 'actor'>,
  ): Promise<{ position: number | null; ended: number }> => {
    const outcome = await handleCommand(
      deps,
      userSecurityDecider,
      userSecurityStream(input.userId),
      () => ({ type: 'EndTrustedBrowsers' as const, ...input, now: deps.clock.now().toISOString(), actor }),
      { ...request, actor },
    );
    return { position: outcome.position, ended: outcome.newEvents.length };
  };

/** Every member of an office, page by page, through `endTrustedBrowsers`; the last position written. */
export const endTrustedBrowsersInOffice =
  (deps: CommandDeps & Pick<ApplicationDeps, 'readModels'>) =>
  async (
    actor: Actor,
    input: Omit<EndTrustedBrowsersInput, 'userId'>,
    request: Omit<CommandContext, 'actor'>,
  ): Promise<{ position: number | null; failed: number }> => {
    const end = endTrustedBrowsers(deps);
    let position: number | null = null;
    let failed = 0;
    let after: string | null = null;
    do {
      const page = await deps.readModels.officeMembers(input.officeId, { after, limit: 200 });
      for (const member of page.items) {
        try {
          const outcome = await end(actor, { ...input, userId: member.userId }, request);
          position = outcome.position ?? position;
        } catch {
          // The login-time check enforces the office's limit regardless; the revocation event is the record.
          failed += 1;
        }
      }
      after = page.next;
    } while (after !== null);
    return { position, failed };
  };
