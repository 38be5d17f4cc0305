/**
 * Runs `sign` every `intervalSeconds` on the instance that holds the projector lease only, so a
 * deployment of several instances writes one checkpoint per period. 0 turns it off.
 */
export const startPeriodicCheckpoints = (options: {
  intervalSeconds: number;
  isLeader: () => boolean;
  sign: () => Promise<unknown>;
  onError: (error: unknown) => void;
}): { stop: () => Promise<void> } => {
  if (options.intervalSeconds <= 0) return { stop: async () => {} };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (!options.isLeader()) return;
    running = running.then(() => options.sign()).catch(options.onError);
  }, options.intervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
};
