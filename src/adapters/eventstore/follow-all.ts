import type { EventStore, Subscription, SubscriptionHandler } from '../../application/ports/event-store.ts';

const pageSize = 1000;

/**
 * Catch-up-then-live delivery shared by stores that can read `$all` in pages: read pages until
 * empty, then sleep until `onAppend` wakes us (local appends) or `pollMs` passes (other writers).
 */
export const followAll = (
  store: Pick<EventStore, 'readAll'>,
  after: number,
  handler: SubscriptionHandler,
  onAppend: (wake: () => void) => () => void,
  pollMs = 250,
): Subscription => {
  let stopped = false;
  let appendedSinceRead = false;
  let wake: () => void = () => {};
  const unlisten = onAppend(() => {
    appendedSinceRead = true;
    wake();
  });

  const run = async (): Promise<void> => {
    let position = after;
    try {
      while (!stopped) {
        appendedSinceRead = false;
        const page = await store.readAll(position, pageSize);
        for (const event of page) {
          if (stopped) return;
          await handler(event);
          position = event.position;
        }
        if (page.length > 0 || appendedSinceRead) continue;
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
