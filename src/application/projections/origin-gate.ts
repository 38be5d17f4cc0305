import type { EventStore } from '../ports/event-store.ts';
import {
  type LoginLookup,
  type MemberView,
  type OfficePolicyView,
  type Page,
  type ProjectionTarget,
  type ReadModels,
  ReadModelsRebuildingError,
  ReadModelUnavailableError,
} from '../ports/read-models.ts';
import { isWrongOrigin, judgeOrigin, type OriginVerdict } from './origin-verdict.ts';

const unchecked = (storeId: string): OriginVerdict => ({
  ok: false,
  problem: 'unchecked',
  setId: null,
  storeId,
  readModelsStoreId: null,
  detail: 'the read models have not been checked against the event store yet',
});

/**
 * Every instance answers from the read models only while they are a complete projection of its event
 * store: checked before the first answer and every `intervalMs` (the adapters refuse by themselves
 * between checks when a set stops serving). Read models found wrong are rejected for every instance;
 * the projector builds a fresh set. `report` hears each new verdict (logs, metrics).
 */
export class OriginCheckedReadModels implements ReadModels {
  private readonly inner: ReadModels;
  private readonly target: Pick<ProjectionTarget, 'origin' | 'reject'>;
  private readonly events: Pick<EventStore, 'storeId' | 'headPosition'>;
  private readonly report: (verdict: OriginVerdict) => void;
  private verdict: OriginVerdict = unchecked('');
  private checking: Promise<OriginVerdict> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    inner: ReadModels,
    target: Pick<ProjectionTarget, 'origin' | 'reject'>,
    events: Pick<EventStore, 'storeId' | 'headPosition'>,
    report: (verdict: OriginVerdict) => void = () => {},
  ) {
    this.inner = inner;
    this.target = target;
    this.events = events;
    this.report = report;
  }

  /** Checks now, then every `intervalMs` until stop(). */
  async start(intervalMs: number): Promise<void> {
    await this.check().catch(() => {});
    this.timer ??= setInterval(() => void this.check().catch(() => {}), intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Judges the read models again; an unreachable store or Redis keeps the last verdict. */
  check(): Promise<OriginVerdict> {
    this.checking ??= this.judge().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async judge(): Promise<OriginVerdict> {
    const verdict = await judgeOrigin(() => this.target.origin(), this.events);
    if (isWrongOrigin(verdict) && !verdict.ok && verdict.setId !== null)
      await this.target.reject(verdict.setId);
    const changed =
      verdict.ok !== this.verdict.ok ||
      (!verdict.ok && !this.verdict.ok && verdict.problem !== this.verdict.problem);
    this.verdict = verdict;
    if (changed) this.report(verdict);
    return verdict;
  }

  loginByUsername(username: string): Promise<LoginLookup | null> {
    return this.whenServing(() => this.inner.loginByUsername(username));
  }

  loginByUserId(userId: string): Promise<LoginLookup | null> {
    return this.whenServing(() => this.inner.loginByUserId(userId));
  }

  officePolicy(officeId: string): Promise<OfficePolicyView | null> {
    return this.whenServing(() => this.inner.officePolicy(officeId));
  }

  offices(): Promise<OfficePolicyView[]> {
    return this.whenServing(() => this.inner.offices());
  }

  officeMembers(officeId: string, page: { after: string | null; limit: number }): Promise<Page<MemberView>> {
    return this.whenServing(() => this.inner.officeMembers(officeId, page));
  }

  checkpoint(): Promise<number> {
    return this.inner.checkpoint();
  }

  /** Waits for complete read models too (a build finishing): throws only when there are none by the deadline. */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.check().catch(() => this.verdict)).ok && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await this.ensureServing();
    const reached = await this.inner.waitFor(position, Math.max(0, deadline - Date.now()));
    await this.ensureServing();
    return reached;
  }

  /** Reachable and serving: /readyz gives the verdict's reason otherwise. */
  async ping(): Promise<void> {
    await this.inner.ping();
    await this.ensureServing();
  }

  /**
   * The read, started at once while the verdict is to serve: the login check's hot path, where an
   * awaited `ensureServing` cost 4-5 % of the throughput in promise turns alone (bench/README).
   */
  private whenServing<T>(read: () => Promise<T>): Promise<T> {
    return this.verdict.ok ? read() : this.ensureServing().then(read);
  }

  private async ensureServing(): Promise<void> {
    // A process that never started the checks (the CLI) judges at its first read.
    if (this.verdict.ok === false && this.verdict.problem === 'unchecked')
      await this.check().catch((error: unknown) => {
        throw new ReadModelUnavailableError('The read models cannot be checked against the event store.', {
          cause: error,
        });
      });
    const verdict = this.verdict;
    if (!verdict.ok) throw new ReadModelsRebuildingError(`Not serving: ${verdict.detail}.`);
  }
}
