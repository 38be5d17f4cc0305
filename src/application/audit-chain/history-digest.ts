import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { RecordedEvent } from '../ports/event-store.ts';

/**
 * A running summary of the history in global order: how many events, the newest one's hash, and the
 * newest hash of every stream. Since each stream's events are hash-linked, the heads commit to every
 * event so far: a stream rewritten and re-hashed, cut short, or missing changes the digest.
 */
export class HistoryDigest {
  private readonly heads = new Map<string, string>();
  position = 0;
  eventCount = 0;
  lastEventHash: string | null = null;

  add(event: RecordedEvent): void {
    const hash = event.metadata.hash ?? '';
    this.heads.set(event.streamId, hash);
    this.position = event.position;
    this.eventCount += 1;
    this.lastEventHash = hash === '' ? null : hash;
  }

  get streamCount(): number {
    return this.heads.size;
  }

  /** SHA-256 over the canonical JSON (keys sorted) of every stream's newest hash, by stream id. */
  headsDigest(): string {
    return createHash('sha256')
      .update(canonicalize(Object.fromEntries(this.heads)) ?? '{}')
      .digest('hex');
  }
}

const pageSize = 5_000;

/** Feeds `digest` every event after its position up to `upTo` (inclusive), in order. */
export const advanceTo = async (
  events: { readAll: (after: number, limit: number) => Promise<RecordedEvent[]> },
  digest: HistoryDigest,
  upTo: number,
  onEvent: (event: RecordedEvent) => void = () => {},
): Promise<void> => {
  while (digest.position < upTo) {
    const page = await events.readAll(digest.position, pageSize);
    if (page.length === 0) return;
    for (const event of page) {
      if (event.position > upTo) return;
      digest.add(event);
      onEvent(event);
    }
  }
};
