import type { RecordedEvent } from '../../application/ports/event-store.ts';
import {
  type ApplyOutcome,
  type LoginLookup,
  type MemberView,
  type OfficePolicyView,
  type Page,
  type ProjectionTarget,
  type ReadModelOrigin,
  type ReadModels,
  type ReadModelsBuild,
  ReadModelsRebuildingError,
} from '../../application/ports/read-models.ts';
import { CheckpointWaiters } from '../../application/projections/checkpoint-waiters.ts';
import {
  type OfficeDocument,
  projectionVersion,
  toLoginView,
  type UserDocument,
} from '../../application/projections/documents.ts';
import { memberView, pageOfMembers } from '../../application/projections/member-pages.ts';
import {
  documentOf,
  type ProjectionChange,
  projectEvent,
} from '../../application/projections/project-event.ts';

/** One set of read models: what a build fills and readers use once it is promoted. */
class MemorySet {
  readonly users = new Map<string, UserDocument>();
  readonly usernames = new Map<string, string>();
  readonly offices = new Map<string, OfficeDocument>();
  readonly members = new Map<string, string[]>();
  position = 0;
  origin: ReadModelOrigin | null;

  constructor(origin: ReadModelOrigin | null) {
    this.origin = origin;
  }

  applyOne(event: RecordedEvent): void {
    const ref = documentOf(event);
    const current =
      ref === null
        ? null
        : ref.kind === 'user'
          ? (this.users.get(ref.id) ?? null)
          : (this.offices.get(ref.id) ?? null);
    const change = projectEvent(event, current);
    if (change.kind === 'office') this.offices.set(change.office.officeId, change.office);
    if (change.kind === 'user') {
      this.users.set(change.user.userId, change.user);
      if (change.newMember !== undefined) {
        this.usernames.set(change.newMember.username, change.user.userId);
        const keys = this.members.get(change.newMember.officeId) ?? [];
        keys.push(change.newMember.memberKey);
        keys.sort();
        this.members.set(change.newMember.officeId, keys);
      }
    }
    if (change.kind === 'user-erased') this.forget(change);
    this.position = event.position;
    if (this.origin !== null) this.origin.checkpoint = event.position;
  }

  applyBatch(events: RecordedEvent[], previousPosition: number): ApplyOutcome {
    const last = events.at(-1);
    if (last === undefined || last.position <= this.position) return 'skipped';
    // A set without an origin was never started (or is gone): nothing may be written into it.
    if (this.position !== previousPosition || this.origin === null) return 'behind';
    for (const event of events) this.applyOne(event);
    return 'applied';
  }

  private forget(erased: Extract<ProjectionChange, { kind: 'user-erased' }>): void {
    this.users.delete(erased.userId);
    if (this.usernames.get(erased.username) === erased.userId) this.usernames.delete(erased.username);
    const keys = this.members.get(erased.officeId) ?? [];
    this.members.set(
      erased.officeId,
      keys.filter((key) => key !== erased.memberKey),
    );
  }
}

/** Read models in maps, for tests: a build fills a new set, promoting it swaps it in. */
export class MemoryReadModels implements ReadModels, ProjectionTarget {
  private current = new MemorySet(null);
  private building: MemorySet | null = null;
  private builds = 0;
  private readonly waiters = new CheckpointWaiters(async () => this.servingSet().position);

  async apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    return this.applyBatch([event], previousPosition);
  }

  async applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    const outcome = this.current.applyBatch(events, previousPosition);
    if (outcome === 'applied') this.waiters.reached(this.current.position);
    return outcome;
  }

  async checkpoint(): Promise<number> {
    return this.current.position;
  }

  async origin(): Promise<ReadModelOrigin | null> {
    return this.current.origin === null ? null : { ...this.current.origin };
  }

  async reject(setId: string): Promise<void> {
    if (this.current.origin?.setId === setId)
      Object.assign(this.current.origin, { serving: false, rejected: true });
  }

  async unfinishedBuild(): Promise<ReadModelsBuild | null> {
    return this.building === null ? null : this.buildOf(this.building);
  }

  async startBuild(storeId: string, target: number): Promise<ReadModelsBuild> {
    this.builds += 1;
    this.building = new MemorySet({
      setId: String(this.builds),
      storeId,
      target,
      checkpoint: 0,
      serving: false,
      rejected: false,
      projection: projectionVersion,
    });
    return this.buildOf(this.building);
  }

  private buildOf(set: MemorySet): ReadModelsBuild {
    return {
      apply: async (event, previous) => set.applyBatch([event], previous),
      applyBatch: async (events, previous) => set.applyBatch(events, previous),
      checkpoint: async () => set.position,
      origin: async () => (set.origin === null ? null : { ...set.origin }),
      promote: async () => {
        if (this.building !== set || set.origin === null || set.position < set.origin.target) return false;
        set.origin.serving = true;
        this.current = set;
        this.building = null;
        this.waiters.reached(set.position);
        return true;
      },
    };
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const reached = await this.waiters.waitFor(position, timeoutMs);
    this.servingSet();
    return reached;
  }

  async loginByUsername(username: string): Promise<LoginLookup | null> {
    const userId = this.servingSet().usernames.get(username);
    return userId === undefined ? null : this.loginByUserId(userId);
  }

  async loginByUserId(userId: string): Promise<LoginLookup | null> {
    const set = this.servingSet();
    const user = set.users.get(userId);
    if (user === undefined) return null;
    return structuredClone({ user: toLoginView(user), office: set.offices.get(user.officeId) ?? null });
  }

  async officePolicy(officeId: string): Promise<OfficePolicyView | null> {
    return structuredClone(this.servingSet().offices.get(officeId) ?? null);
  }

  async offices(): Promise<OfficePolicyView[]> {
    const offices = [...this.servingSet().offices.values()];
    return structuredClone(
      offices.sort((a, b) => (a.officeId < b.officeId ? -1 : a.officeId > b.officeId ? 1 : 0)),
    );
  }

  async officeMembers(
    officeId: string,
    page: { after: string | null; limit: number },
  ): Promise<Page<MemberView>> {
    const set = this.servingSet();
    const keys = set.members.get(officeId) ?? [];
    return pageOfMembers(keys, page, async (userIds) =>
      userIds.map((id) => {
        const user = set.users.get(id);
        return user === undefined ? null : memberView(user);
      }),
    );
  }

  async ping(): Promise<void> {}

  private servingSet(): MemorySet {
    if (this.current.origin?.serving !== true)
      throw new ReadModelsRebuildingError('The read models are being built from the event store.');
    return this.current;
  }
}
