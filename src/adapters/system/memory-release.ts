import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export type HeapFigures = { total: number; used: number };

/** Growth below this is not worth a release's pause. */
export const minimumGrowthBytes = 64 * 1024 * 1024;

/**
 * Worth a release: the heap grew by `minimumGrowthBytes` or more beyond its size after the last release
 * (or at the start). How much of it is in use cannot tell: until a collection, the garbage of a burst
 * counts as used.
 */
export const heapGrewEnough = (heap: HeapFigures, sizeAfterLastRelease: number): boolean =>
  heap.total - sizeAfterLastRelease >= minimumGrowthBytes;

export const heapNow = (): HeapFigures => {
  const { total_heap_size, used_heap_size } = getHeapStatistics();
  return { total: total_heap_size, used: used_heap_size };
};

/**
 * A full collection that also hands V8's unused pages back to the system, as V8 does when told memory
 * is low. Node has no call for that but the inspector's, which a session inside the process reaches
 * without opening a port. One pause of a few tens of milliseconds. The inspector module (2–3 ms to
 * load) is loaded at the first release, not at every start.
 */
export const collectGarbageReleasingMemory = async (): Promise<void> => {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  try {
    await new Promise<void>((resolve, reject) =>
      session.post('HeapProfiler.collectGarbage', (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    session.disconnect();
  }
};

export type MemoryReleaseDeps = {
  heap: () => HeapFigures;
  release: () => Promise<void>;
  /** Share of the time since the last call that the event loop was busy (0 … 1). */
  busySinceLastCall: () => number;
  log: { info(details: object, message: string): void };
};

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

/**
 * V8 keeps the heap a burst of work grew it to (after the start-up catch-up of 301,500 events, 230 MB
 * of which a collection keeps 35) and gives it back only when told memory is low. This gives it back
 * after such a burst, and when the event loop was idle for a whole check interval, whenever the heap
 * grew much since the last time.
 */
export class MemoryRelease {
  readonly #deps: MemoryReleaseDeps;
  #sizeAfterLastRelease: number;
  /** Busier than this for an interval: not idle, so no pause is added to requests. */
  static readonly idleBelow = 0.05;

  constructor(deps: MemoryReleaseDeps) {
    this.#deps = deps;
    this.#sizeAfterLastRelease = deps.heap().total;
  }

  /** Gives the unused heap back if the heap grew enough since the last time; true when it did. */
  async releaseIfGrown(reason: string): Promise<boolean> {
    const before = this.#deps.heap();
    if (!heapGrewEnough(before, this.#sizeAfterLastRelease)) return false;
    await this.#deps.release();
    const after = this.#deps.heap();
    this.#sizeAfterLastRelease = after.total;
    this.#deps.log.info(
      {
        reason,
        heapTotalMb: [mb(before.total), mb(after.total)],
        heapUsedMb: [mb(before.used), mb(after.used)],
      },
      'unused heap given back to the system',
    );
    return true;
  }

  /** One idle check: releases only when the event loop was idle since the last one. */
  async check(): Promise<boolean> {
    if (this.#deps.busySinceLastCall() >= MemoryRelease.idleBelow) return false;
    return this.releaseIfGrown('idle');
  }

  /** Checks every `seconds` (0: never) until stopped; the timer does not keep the process alive. */
  checkEvery(seconds: number): { stop: () => void } {
    if (seconds === 0) return { stop: () => {} };
    this.#deps.busySinceLastCall();
    const timer = setInterval(() => void this.check().catch(() => {}), seconds * 1000);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }
}

/** The event loop's utilisation between two calls, from Node's own measure. */
export const eventLoopBusyMeter = (): (() => number) => {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
};

/** The release of this process's own heap. */
export const processMemoryRelease = (log: MemoryReleaseDeps['log']): MemoryRelease =>
  new MemoryRelease({
    heap: heapNow,
    release: collectGarbageReleasingMemory,
    busySinceLastCall: eventLoopBusyMeter(),
    log,
  });
