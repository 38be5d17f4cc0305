import { encryptedSecretSchema } from '../../../domain/shared/encrypted-secret.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import type { RecordedEvent } from '../../ports/event-store.ts';
import { type PersonalDataVault, usernameAssociatedData } from '../../ports/personal-data-vault.ts';
import { SecretDecryptionError } from '../../ports/secret-cipher.ts';
import { redactForAudit } from './redact-for-audit.ts';

export type AuditFilter = {
  userId?: string;
  officeId?: string;
  type?: string;
  /** Inclusive lower bound on occurredAt (ISO). */
  from?: string;
  /** Exclusive upper bound on occurredAt (ISO). */
  to?: string;
};

export type AuditEvent = {
  position: number;
  streamId: string;
  revision: number;
  type: string;
  occurredAt: string;
  actor: RecordedEvent['metadata']['actor'];
  /** The second support agent who approved it (four-eyes), when one did. */
  approvedBy?: RecordedEvent['metadata']['actor'];
  correlationId: string;
  causationId: string;
  data: Record<string, unknown>;
};

const pageSize = 1_000;
/** A page answers after scanning this many events even when few matched, so no request runs long. */
const maxScannedPerRequest = 50_000;

const dataField = (event: RecordedEvent, field: string): unknown =>
  typeof event.data === 'object' && event.data !== null
    ? (event.data as Record<string, unknown>)[field]
    : undefined;

/** Whether an event belongs to the filter: a user's streams, an office's stream or its people's acts. */
export const matchesAudit = (event: RecordedEvent, filter: AuditFilter): boolean => {
  if (filter.type !== undefined && event.type !== filter.type) return false;
  if (filter.from !== undefined && event.metadata.occurredAt < filter.from) return false;
  if (filter.to !== undefined && event.metadata.occurredAt >= filter.to) return false;
  if (filter.userId !== undefined) {
    const id = filter.userId;
    const ofUser =
      event.streamId === `user-${id}` ||
      event.streamId === `user-security-${id}` ||
      dataField(event, 'userId') === id;
    if (!ofUser && event.metadata.actor.id !== id) return false;
  }
  if (filter.officeId !== undefined) {
    const id = filter.officeId;
    const ofOffice =
      event.streamId === `office-${id}` ||
      dataField(event, 'officeId') === id ||
      event.metadata.actor.officeId === id;
    if (!ofOffice) return false;
  }
  return true;
};

export const toAuditEvent = async (vault: PersonalDataVault, event: RecordedEvent): Promise<AuditEvent> => ({
  position: event.position,
  streamId: event.streamId,
  revision: event.revision,
  type: event.type,
  occurredAt: event.metadata.occurredAt,
  actor: event.metadata.actor,
  ...(event.metadata.approvedBy === undefined ? {} : { approvedBy: event.metadata.approvedBy }),
  correlationId: event.metadata.correlationId,
  causationId: event.metadata.causationId,
  data: await openForAudit(vault, redactForAudit(event.data)),
});

/** What an erased person's personal fields read as. */
const erasedField = '[erased]';

/** Auditors see a username in plain text while its owner's key exists, and `[erased]` after. */
const openForAudit = async (
  vault: PersonalDataVault,
  shown: Record<string, unknown>,
): Promise<Record<string, unknown>> => {
  const sealed = encryptedSecretSchema.safeParse(shown.username);
  if (!sealed.success || typeof shown.userId !== 'string') return shown;
  try {
    const username = await vault.open(shown.userId, sealed.data, usernameAssociatedData(shown.userId));
    return { ...shown, username: username ?? erasedField };
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    return { ...shown, username: '[unreadable: fails authentication]' };
  }
};

/** One page of the history, oldest first, read from the event store; `next` continues after it. */
export const auditEvents =
  (deps: Pick<ApplicationDeps, 'events' | 'vault'>) =>
  async (
    filter: AuditFilter,
    page: { after: number; limit: number },
  ): Promise<{ items: AuditEvent[]; next: string | null }> => {
    const items: AuditEvent[] = [];
    let position = page.after;
    let scanned = 0;
    while (items.length < page.limit && scanned < maxScannedPerRequest) {
      const batch = await deps.events.readAll(position, pageSize);
      if (batch.length === 0) return { items, next: null };
      for (const event of batch) {
        position = event.position;
        scanned++;
        if (matchesAudit(event, filter)) items.push(await toAuditEvent(deps.vault, event));
        if (items.length === page.limit) break;
      }
    }
    return { items, next: String(position) };
  };
