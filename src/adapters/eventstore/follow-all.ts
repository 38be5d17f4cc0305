import type {
  EventStore,
  RecordedEvent,
  Subscription,
  SubscriptionHandler,
} from '../../application/ports/event-store.ts';

const pageSize = 1000;

/**
 * Catch-up-then-live delivery shared by stores that can read `$all` in pages: read pages until one
 * comes back short, then sleep until `onAppend` wakes us (local appends) or `pollMs` passes (other
 * writers). A store that hands on the events it just committed (`handOn`, in position order) spares
 * the read of them, as long as they follow on from the last event delivered; else they are read.
 */
export const followAll = (
  store: Pick<EventStore, 'readAll'>,
  after: number,
  handler: SubscriptionHandler,
  onAppend: (wake: () => void, handOn: (committed: RecordedEvent[]) => void) => () => void,
  pollMs = 250,
): Subscription => {
  let stopped = false;
  let appendedSinceRead = false;
  let wake: () => void = () => {};
  let handed: RecordedEvent[] = [];
  const unlisten = onAppend(
    () => {
      appendedSinceRead = true;
      wake();
    },
    (committed) => {
      appendedSinceRead = true;
      // A handler slower than the appends would let these pile up: past a page they are read instead.
      if (handed.length + committed.length <= pageSize) handed.push(...committed);
      else handed = [];
      wake();
    },
  );
  /** The handed-on events after `position`, if they follow on from it without a gap; else null. */
  const takeHanded = (position: number): RecordedEvent[] | null => {
    const fresh = handed.filter((event) => event.position > position);
    handed = [];
    if (fresh.length === 0) return null;
    return fresh.every((event, index) => event.position === position + 1 + index) ? fresh : null;
  };

  const run = async (): Promise<void> => {
    let position = after;
    try {
      while (!stopped) {
        appendedSinceRead = false;
        const page = takeHanded(position) ?? (await store.readAll(position, pageSize));
        for (const event of page) {
          if (stopped) return;
          await handler(event);
          position = event.position;
        }
        // A short page was all there was when read; what is appended later wakes us or is polled for.
        if (page.length >= pageSize || appendedSinceRead) continue;
        if (stopped) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      unlisten();
    }
  };

  const done = run();
  return {
    done,
    async stop() {
      stopped = true;
      wake();
      await done.catch(() => {});
    },
  };
};
