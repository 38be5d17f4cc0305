import type { LoginLookup, MemberView, OfficePolicyView, Page, ReadModels } from '../ports/read-models.ts';
import { ReadModelUnavailableError } from '../ports/read-models.ts';

/**
 * Read models kept in this process start empty and are projected from the whole store at start-up.
 * Until the projector has caught up once, a lookup could miss a user who exists (and take them for
 * unknown), so every read fails closed (503) and /readyz says not ready; /healthz keeps answering.
 */
export class StartUpGatedReadModels implements ReadModels {
  private readonly inner: ReadModels;
  private caughtUp = false;

  constructor(inner: ReadModels) {
    this.inner = inner;
  }

  /** Called by the projector each time it has caught up with the store. */
  open(): void {
    this.caughtUp = true;
  }

  async loginByUsername(username: string): Promise<LoginLookup | null> {
    this.ensureCaughtUp();
    return this.inner.loginByUsername(username);
  }

  async loginByUserId(userId: string): Promise<LoginLookup | null> {
    this.ensureCaughtUp();
    return this.inner.loginByUserId(userId);
  }

  async officePolicy(officeId: string): Promise<OfficePolicyView | null> {
    this.ensureCaughtUp();
    return this.inner.officePolicy(officeId);
  }

  async officeMembers(
    officeId: string,
    page: { after: string | null; limit: number },
  ): Promise<Page<MemberView>> {
    this.ensureCaughtUp();
    return this.inner.officeMembers(officeId, page);
  }

  checkpoint(): Promise<number> {
    return this.inner.checkpoint();
  }

  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.inner.waitFor(position, timeoutMs);
  }

  async ping(): Promise<void> {
    this.ensureCaughtUp();
    await this.inner.ping();
  }

  private ensureCaughtUp(): void {
    if (!this.caughtUp)
      throw new ReadModelUnavailableError('The read models are still being projected from the event store.');
  }
}
