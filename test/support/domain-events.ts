import type { EventToAppend, RecordedEvent } from '../../src/application/ports/event-store.ts';
import type { AnyDomainEvent } from '../../src/domain/events.ts';
import { anEvent } from './events.ts';

/** Numbers events the way a store would: per-stream revisions and one global position. */
export class RecordedEvents {
  private position = 0;
  private readonly revisions = new Map<string, number>();

  record(streamId: string, event: AnyDomainEvent): RecordedEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    this.position += 1;
    const base: EventToAppend = anEvent(event.data as Record<string, unknown>, event.type);
    return { ...base, streamId, revision, position: this.position };
  }
}
