type Waiter = { position: number; done: (reached: boolean) => void };

/**
 * Lets requests wait until the projector has applied a position (read-your-writes). Local applies
 * wake waiters at once; for projectors in other processes one poll every `pollMs` serves all waiters.
 */
export class CheckpointWaiters {
  private readonly waiting = new Set<Waiter>();
  private readonly readCheckpoint: () => Promise<number>;
  private readonly pollMs: number;
  private polling = false;

  constructor(readCheckpoint: () => Promise<number>, pollMs = 10) {
    this.readCheckpoint = readCheckpoint;
    this.pollMs = pollMs;
  }

  reached(position: number): void {
    for (const waiter of this.waiting) if (waiter.position <= position) waiter.done(true);
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if ((await this.readCheckpoint()) >= position) return true;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        position,
        done: (reached) => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiting.add(waiter);
      void this.poll();
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiting.size > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.pollMs));
        const checkpoint = await this.readCheckpoint().catch(() => null);
        if (checkpoint !== null) this.reached(checkpoint);
      }
    } finally {
      this.polling = false;
    }
  }
}
