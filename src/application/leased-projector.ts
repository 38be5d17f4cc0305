import type { Lease } from './ports/lease.ts';
import type { Projector, ProjectorLog } from './projector.ts';

/**
 * Runs the projector only while this instance holds the lease, checking every `renewMs` (a third of
 * the lease's lifetime or less). Losing the lease, or Redis, stops it; the read models' checkpoint
 * check keeps a paused former leader from writing anything twice when it wakes up.
 */
export class LeasedProjector {
  private readonly projector: Projector;
  private readonly lease: Lease;
  private readonly log: ProjectorLog;
  private readonly renewMs: number;
  private timer: NodeJS.Timeout | null = null;
  private holding = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(projector: Projector, lease: Lease, log: ProjectorLog, renewMs: number) {
    this.projector = projector;
    this.lease = lease;
    this.log = log;
    this.renewMs = renewMs;
  }

  isLeader(): boolean {
    return this.holding;
  }

  start(): void {
    if (this.timer !== null) return;
    this.ticking = this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick());
    }, this.renewMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await this.projector.stop();
    if (this.holding) await this.lease.release().catch(() => {});
    this.holding = false;
  }

  private async tick(): Promise<void> {
    const held = await this.lease.acquireOrRenew().catch(() => false);
    if (held && !this.holding) {
      this.log.info({}, 'projector lease taken: projecting here');
      this.projector.start();
    }
    if (!held && this.holding) {
      this.log.info({}, 'projector lease lost: projecting stops here');
      await this.projector.stop();
    }
    this.holding = held;
  }
}
