import { type AnyDomainEvent, isKnownEventType, parseDomainEvent } from '../../../domain/events.ts';
import { type OfficeEvent, officeStream } from '../../../domain/office/events.ts';
import { officeDecider } from '../../../domain/office/index.ts';
import type { OfficeState } from '../../../domain/office/state.ts';
import { type UserAccountEvent, userAccountStream } from '../../../domain/user-account/events.ts';
import { userAccountDecider } from '../../../domain/user-account/index.ts';
import type { UserAccountState } from '../../../domain/user-account/state.ts';
import { type UserSecurityEvent, userSecurityStream } from '../../../domain/user-security/events.ts';
import { userSecurityDecider } from '../../../domain/user-security/index.ts';
import type { UserSecurityState } from '../../../domain/user-security/state.ts';
import { ApplicationError } from '../../application-error.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { openPersonalText } from '../../open-personal-text.ts';
import type { RecordedEvent } from '../../ports/event-store.ts';
import { usernameAssociatedData } from '../../ports/personal-data-vault.ts';
import {
  type ComplianceReport,
  complianceReport,
  type MemberFacts,
  type ReportPage,
} from './compliance-rows.ts';

const eventsPerRead = 1000;

type Member = { account: UserAccountState; security: UserSecurityState; lastSecondFactorAt: string | null };

/**
 * An office's compliance as it was at `at`, from the event history alone: every event that had
 * happened by then (its `occurredAt`), folded with the deciders' evolve as the audit's `?at=` does.
 * Members erased since cannot be named any more and are left out, as the read models leave them out.
 */
export const complianceAt =
  (deps: Pick<ApplicationDeps, 'events' | 'vault'>) =>
  async (officeId: string, at: string, page: ReportPage): Promise<ComplianceReport> => {
    const { office, members } = await foldHistory(deps, officeId, at);
    if (office.status !== 'registered')
      throw new ApplicationError('not-found', 'No such office at that moment.');
    const facts: MemberFacts[] = [];
    for (const [userId, member] of members) {
      const { account, security } = member;
      if (account.status !== 'registered' || account.officeId !== officeId) continue;
      const username = await openPersonalText(
        deps.vault,
        userId,
        account.username,
        usernameAssociatedData(userId),
      );
      if (username === null) continue;
      facts.push({
        userId,
        username,
        role: account.role,
        enrolledAt: security.enrollment?.enrolledAt ?? null,
        lastSecondFactorAt: member.lastSecondFactorAt,
      });
    }
    const { officeId: id, name, twoFactorRequired, enforceFrom, reenrollment } = office;
    return complianceReport(
      { officeId: id, name, required: twoFactorRequired, enforceFrom, reenrollment },
      facts,
      at,
      page,
    );
  };

const foldHistory = async (deps: Pick<ApplicationDeps, 'events'>, officeId: string, at: string) => {
  let office: OfficeState = officeDecider.initialState();
  const members = new Map<string, Member>();
  for await (const { event, parsed } of historyUpTo(deps, at)) {
    if (event.streamId === officeStream(officeId)) {
      office = officeDecider.evolve(office, parsed as OfficeEvent);
      continue;
    }
    if (parsed.type === 'UserRegistered' && parsed.data.officeId === officeId)
      members.set(parsed.data.userId, {
        account: userAccountDecider.initialState(),
        security: userSecurityDecider.initialState(),
        lastSecondFactorAt: null,
      });
    const owner = streamOwner(event.streamId);
    const member = owner === null ? undefined : members.get(owner.userId);
    if (owner === null || member === undefined) continue;
    if (owner.kind === 'account')
      member.account = userAccountDecider.evolve(member.account, parsed as UserAccountEvent);
    else {
      member.security = userSecurityDecider.evolve(member.security, parsed as UserSecurityEvent);
      if (parsed.type === 'SecondFactorVerified') member.lastSecondFactorAt = event.metadata.occurredAt;
    }
  }
  return { office, members };
};

const securityPrefix = userSecurityStream('');
const accountPrefix = userAccountStream('');

/** Whose account or security stream this is, or null for any other stream. */
const streamOwner = (streamId: string): { kind: 'account' | 'security'; userId: string } | null => {
  if (streamId.startsWith(securityPrefix))
    return { kind: 'security', userId: streamId.slice(securityPrefix.length) };
  if (streamId.startsWith(accountPrefix))
    return { kind: 'account', userId: streamId.slice(accountPrefix.length) };
  return null;
};

async function* historyUpTo(
  deps: Pick<ApplicationDeps, 'events'>,
  at: string,
): AsyncGenerator<{ event: RecordedEvent; parsed: AnyDomainEvent }> {
  const until = Date.parse(at);
  for (let after = 0; ; ) {
    const events = await deps.events.readAll(after, eventsPerRead);
    if (events.length === 0) return;
    for (const event of events)
      if (isKnownEventType(event.type) && Date.parse(event.metadata.occurredAt) <= until)
        yield { event, parsed: parseDomainEvent(event.type, event.data) };
    after = events.at(-1)?.position ?? after;
  }
}
