import type { Actor } from '../../../domain/shared/actor.ts';
import { supportRequestsStream } from '../../../domain/support-request/events.ts';
import type { SupportAction } from '../../../domain/support-request/index.ts';
import { findRequest, supportRequestDecider } from '../../../domain/support-request/index.ts';
import { handleCommand } from '../../handle-command.ts';
import { loadAggregate } from '../../load-aggregate.ts';
import type { RequestContext } from '../login/second-factor-step.ts';
import type { EraseUserResult } from '../support-erase-user.ts';
import type { SupportResetResult } from '../support-reset.ts';
import type { TemporaryAccessIssuedResult } from '../support-temporary-access.ts';
import {
  type AwaitingApproval,
  checkSupportAction,
  expireOverdueRequests,
  type RequestDeps,
  requestSupportAction,
  type SupportInput,
} from './support-requests.ts';

type Run<Result> = (
  actor: Actor,
  input: SupportInput,
  request: RequestContext,
) => Promise<Result & { position: number | null }>;

/** The actions themselves, as they run without four-eyes. */
export type SupportActionRuns = {
  'two-factor-reset': Run<SupportResetResult>;
  'temporary-access': Run<TemporaryAccessIssuedResult>;
  erasure: Run<EraseUserResult>;
};
type ResultOf<A extends SupportAction> = Awaited<ReturnType<SupportActionRuns[A]>>;

export type ApprovedSupportAction = {
  [A in SupportAction]: { requestId: string; action: A; userId: string; result: ResultOf<A> };
}[SupportAction];

/**
 * A second support agent approves a request: `SupportActionApproved`, then the action itself, run as the
 * agent who asked (their reason and ticket) with the approver in its events' metadata. A temporary access
 * code is made only now and shown to the approver alone: the agent who asked never sees a working code.
 */
export const approveSupportRequest =
  (deps: RequestDeps, runs: SupportActionRuns) =>
  async (actor: Actor, requestId: string, request: RequestContext): Promise<ApprovedSupportAction> => {
    const context = { ...request, actor };
    await expireOverdueRequests(deps, context);
    const approve = () => ({
      type: 'ApproveSupportAction' as const,
      requestId,
      now: deps.clock.now().toISOString(),
      actor,
    });
    // Refusals of the request (own, expired, closed) come first, then those of the action (user gone,
    // frozen): either way nothing is recorded.
    const { state } = await loadAggregate(deps.events, supportRequestDecider, supportRequestsStream);
    supportRequestDecider.decide(approve(), state);
    const asked = findRequest(state, requestId);
    if (asked !== undefined) await checkSupportAction(deps, asked.action, asked.userId);

    const outcome = await handleCommand(deps, supportRequestDecider, supportRequestsStream, approve, context);
    const approved = findRequest(outcome.state, requestId);
    if (approved === undefined) throw new Error(`Support request ${requestId} vanished while approved.`);
    const input = { userId: approved.userId, reason: approved.reason, ticket: approved.ticket };
    // The approver's address stays on the approval: sealing it under the asker's key would misname it.
    const asAsked = {
      correlationId: request.correlationId,
      causationId: request.causationId,
      approvedBy: actor,
    };
    const about = { requestId, userId: approved.userId };
    switch (approved.action) {
      case 'two-factor-reset':
        return {
          ...about,
          action: approved.action,
          result: await runs[approved.action](approved.requestedBy, input, asAsked),
        };
      case 'temporary-access':
        return {
          ...about,
          action: approved.action,
          result: await runs[approved.action](approved.requestedBy, input, asAsked),
        };
      case 'erasure':
        return {
          ...about,
          action: approved.action,
          result: await runs[approved.action](approved.requestedBy, input, asAsked),
        };
    }
  };

export type SupportActionOutcome<A extends SupportAction> =
  | ({ status: 'done' } & ResultOf<A>)
  | AwaitingApproval;

/**
 * The action as support asks for it: done at once while SUPPORT_APPROVAL is off, a request awaiting a
 * second agent while it is required.
 */
export const supportActionOrRequest =
  <A extends SupportAction>(
    deps: RequestDeps & { settings: { supportApproval: 'off' | 'required' } },
    action: A,
    run: SupportActionRuns[A],
  ) =>
  async (actor: Actor, input: SupportInput, request: RequestContext): Promise<SupportActionOutcome<A>> => {
    if (deps.settings.supportApproval === 'required')
      return requestSupportAction(deps)(actor, { ...input, action }, request);
    const result = (await run(actor, input, request)) as ResultOf<A>;
    return { status: 'done', ...result };
  };
