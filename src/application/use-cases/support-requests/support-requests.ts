import type { Actor } from '../../../domain/shared/actor.ts';
import { DomainError } from '../../../domain/shared/domain-error.ts';
import { supportRequestsStream } from '../../../domain/support-request/events.ts';
import {
  isOpen,
  type SupportAction,
  type SupportRequest,
  supportRequestDecider,
} from '../../../domain/support-request/index.ts';
import { addMs } from '../../../domain/user-security/policy.ts';
import { ApplicationError } from '../../application-error.ts';
import type { CommandContext } from '../../command-context.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { handleCommand } from '../../handle-command.ts';
import { loadAggregate } from '../../load-aggregate.ts';
import type { RequestContext } from '../login/second-factor-step.ts';

export type SupportInput = { userId: string; reason: string; ticket: string };
export type RequestDeps = Pick<ApplicationDeps, 'events' | 'clock' | 'ids' | 'vault' | 'readModels'>;

/** How long a request waits for a second agent. */
export const requestLifetimeMs = 24 * 3_600_000;

/** The service records the expiries it notices; the command that noticed gives them its correlation id. */
const expiryActor: Actor = { id: 'support-requests', role: 'system' };

/**
 * Records `SupportActionExpired` for every pending request past its deadline. Runs before each command on
 * the queue, so the history shows an expiry before the refusal or the request that follows it; the
 * deadline itself is judged by the decider at decision time, so a missed sweep never lets one through.
 */
export const expireOverdueRequests = async (deps: RequestDeps, context: CommandContext) => {
  await handleCommand(
    deps,
    supportRequestDecider,
    supportRequestsStream,
    () => ({ type: 'ExpireOverdueSupportActions' as const, now: deps.clock.now().toISOString() }),
    { ...context, actor: expiryActor, clientIp: undefined, userAgent: undefined },
  );
};

/**
 * Would the action be accepted now? Checked when it is asked for and again before it is approved, so an
 * approval is not recorded for an action that cannot run: the user must exist, and a reset or temporary
 * access needs an account that is not frozen (an erasure does not).
 */
export const checkSupportAction = async (deps: RequestDeps, action: SupportAction, userId: string) => {
  const lookup = await deps.readModels.loginByUserId(userId);
  if (lookup === null) throw new ApplicationError('not-found', 'No such user.');
  if (action !== 'erasure' && lookup.user.frozen === true)
    throw new DomainError('account-frozen', 'The account is frozen; lift the freeze first.');
  return lookup;
};

export type AwaitingApproval = {
  status: 'awaiting-approval';
  requestId: string;
  expiresAt: string;
  position: number | null;
};

/** Support asks for an action that another agent must approve within 24 hours. */
export const requestSupportAction =
  (deps: RequestDeps) =>
  async (
    actor: Actor,
    input: SupportInput & { action: SupportAction },
    request: RequestContext,
  ): Promise<AwaitingApproval> => {
    await checkSupportAction(deps, input.action, input.userId);
    const context = { ...request, actor };
    await expireOverdueRequests(deps, context);
    const requestId = deps.ids.next();
    let expiresAt = '';
    const outcome = await handleCommand(
      deps,
      supportRequestDecider,
      supportRequestsStream,
      () => {
        const now = deps.clock.now().toISOString();
        expiresAt = addMs(now, requestLifetimeMs);
        return { type: 'RequestSupportAction' as const, requestId, ...input, now, expiresAt, actor };
      },
      context,
    );
    return { status: 'awaiting-approval', requestId, expiresAt, position: outcome.position };
  };

/** The agent who asked takes their request back. */
export const withdrawSupportRequest =
  (deps: RequestDeps) =>
  async (actor: Actor, requestId: string, request: RequestContext): Promise<{ position: number | null }> => {
    const context = { ...request, actor };
    await expireOverdueRequests(deps, context);
    const outcome = await handleCommand(
      deps,
      supportRequestDecider,
      supportRequestsStream,
      () => ({
        type: 'WithdrawSupportAction' as const,
        requestId,
        now: deps.clock.now().toISOString(),
        actor,
      }),
      context,
    );
    return { position: outcome.position };
  };

export type PendingSupportRequest = Omit<SupportRequest, 'status'> & {
  /** The user's username, or null when they are gone from the read models (erased meanwhile). */
  username: string | null;
  /** The asking agent's username, or null likewise. */
  requestedByUsername: string | null;
};

/** Requests waiting for a second agent, oldest first; a request past its deadline is not listed. */
export const pendingSupportRequests =
  (deps: Pick<ApplicationDeps, 'events' | 'clock' | 'readModels'>) =>
  async (): Promise<PendingSupportRequest[]> => {
    const { state } = await loadAggregate(deps.events, supportRequestDecider, supportRequestsStream);
    const now = deps.clock.now().toISOString();
    const open = state.requests
      .filter((request) => isOpen(request, now))
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    const usernameOf = async (userId: string) =>
      (await deps.readModels.loginByUserId(userId))?.user.username ?? null;
    return Promise.all(
      open.map(async ({ status: _status, ...request }) => ({
        ...request,
        username: await usernameOf(request.userId),
        requestedByUsername: await usernameOf(request.requestedBy.id),
      })),
    );
  };
