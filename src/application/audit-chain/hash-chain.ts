import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EventToAppend, RecordedEvent } from '../ports/event-store.ts';

/** The `previousHash` of a stream's first event. */
export const genesisHash = '0'.repeat(64);

type Chained = {
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventToAppend['metadata'];
};

/**
 * SHA-256 over the canonical JSON (RFC 8785) of everything the event says, including where it sits
 * (stream and revision) and the hash of the event before it in the stream.
 */
export const eventHash = (event: Chained): string => {
  const { hash: _hash, ...metadata } = event.metadata;
  const content = canonicalize({
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    metadata,
  });
  return createHash('sha256')
    .update(content ?? '')
    .digest('hex');
};

/**
 * Links events about to be appended after `last` (the stream's newest event, or undefined for a new
 * stream). The links name the revision the append expects, so if another append gets there first
 * ours fails on the revision check instead of forking the chain.
 */
export const chainEvents = (
  streamId: string,
  last: RecordedEvent | undefined,
  events: EventToAppend[],
): EventToAppend[] => {
  let previousHash = last === undefined ? genesisHash : (last.metadata.hash ?? genesisHash);
  let revision = last === undefined ? 0 : last.revision + 1;
  return events.map((event) => {
    const metadata = { ...event.metadata, previousHash };
    const hash = eventHash({ streamId, revision, type: event.type, data: event.data, metadata });
    previousHash = hash;
    revision += 1;
    return { ...event, metadata: { ...metadata, hash } };
  });
};
