/**
 * Lets a request wait until the projector has applied a position (read-your-writes). Local applies
 * wake waiters at once; `pollMs` covers projectors in other processes.
 */
export class CheckpointWaiters {
  private readonly waiting = new Set<{ position: number; wake: () => void }>();
  private readonly readCheckpoint: () => Promise<number>;
  private readonly pollMs: number;

  constructor(readCheckpoint: () => Promise<number>, pollMs = 10) {
    this.readCheckpoint = readCheckpoint;
    this.pollMs = pollMs;
  }

  reached(position: number): void {
    for (const waiter of this.waiting) if (waiter.position <= position) waiter.wake();
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.readCheckpoint()) < position) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const waiter = { position, wake: () => done() };
        const timer = setTimeout(() => done(), Math.min(left, this.pollMs));
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve();
        };
        this.waiting.add(waiter);
      });
    }
    return true;
  }
}
