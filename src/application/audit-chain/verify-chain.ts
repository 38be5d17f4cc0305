import type { EventStore, RecordedEvent } from '../ports/event-store.ts';
import { eventHash, genesisHash } from './hash-chain.ts';

export type BrokenLink = {
  streamId: string;
  /** The first event whose link does not hold (its revision), or the revision missing. */
  revision: number;
  position: number | null;
  reason: 'content-changed' | 'link-broken' | 'revision-gap' | 'unchained';
};

export type ChainReport = { eventsChecked: number; streamsChecked: number; broken: BrokenLink[] };

type StreamCursor = { revision: number; hash: string; broken: boolean };

/** Checks one event against the stream's state so far; returns the break it finds, if any. */
const check = (event: RecordedEvent, cursor: StreamCursor | undefined): BrokenLink['reason'] | null => {
  const expectedRevision = cursor === undefined ? 0 : cursor.revision + 1;
  if (event.revision !== expectedRevision) return 'revision-gap';
  if (event.metadata.hash === undefined || event.metadata.previousHash === undefined) return 'unchained';
  if (event.metadata.previousHash !== (cursor?.hash ?? genesisHash)) return 'link-broken';
  if (eventHash(event) !== event.metadata.hash) return 'content-changed';
  return null;
};

/**
 * Walks events in global order and reports, per stream, the first event where the chain breaks:
 * a changed event, one deleted or inserted (revision gap or broken link), or streams reordered.
 */
export const verifyChains = async (
  events: Pick<EventStore, 'readAll'>,
  options: { onProgress?: (checked: number, position: number) => void; pageSize?: number } = {},
): Promise<ChainReport> => {
  const streams = new Map<string, StreamCursor>();
  const broken: BrokenLink[] = [];
  let eventsChecked = 0;
  let after = 0;
  for (;;) {
    const page = await events.readAll(after, options.pageSize ?? 5_000);
    if (page.length === 0) break;
    for (const event of page) {
      after = event.position;
      eventsChecked += 1;
      const cursor = streams.get(event.streamId);
      if (cursor?.broken) continue;
      const reason = check(event, cursor);
      if (reason !== null)
        broken.push({ streamId: event.streamId, revision: event.revision, position: event.position, reason });
      streams.set(event.streamId, {
        revision: event.revision,
        hash: event.metadata.hash ?? '',
        broken: reason !== null,
      });
    }
    options.onProgress?.(eventsChecked, after);
  }
  return { eventsChecked, streamsChecked: streams.size, broken };
};

/** The same check for one stream, read on its own (for the audit endpoint). */
export const verifyStream = async (
  events: Pick<EventStore, 'readStream'>,
  streamId: string,
): Promise<ChainReport> => {
  const recorded = await events.readStream(streamId);
  let cursor: StreamCursor | undefined;
  for (const event of recorded) {
    const reason = check(event, cursor);
    if (reason !== null) {
      return {
        eventsChecked: recorded.length,
        streamsChecked: 1,
        broken: [{ streamId, revision: event.revision, position: event.position, reason }],
      };
    }
    cursor = { revision: event.revision, hash: event.metadata.hash ?? '', broken: false };
  }
  return { eventsChecked: recorded.length, streamsChecked: recorded.length === 0 ? 0 : 1, broken: [] };
};
