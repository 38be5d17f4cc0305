import type { RecordedEvent } from '../../application/ports/event-store.ts';
import type {
  ApplyOutcome,
  LoginLookup,
  MemberView,
  OfficePolicyView,
  Page,
  ProjectionTarget,
  ReadModels,
} from '../../application/ports/read-models.ts';
import { CheckpointWaiters } from '../../application/projections/checkpoint-waiters.ts';
import {
  type OfficeDocument,
  toLoginView,
  type UserDocument,
} from '../../application/projections/documents.ts';
import { memberView, pageOfMembers } from '../../application/projections/member-pages.ts';
import {
  documentOf,
  type ProjectionChange,
  projectEvent,
} from '../../application/projections/project-event.ts';

/** Read models in maps, for tests and the embedded single-process deployment. */
export class MemoryReadModels implements ReadModels, ProjectionTarget {
  private readonly users = new Map<string, UserDocument>();
  private readonly usernames = new Map<string, string>();
  private readonly offices = new Map<string, OfficeDocument>();
  private readonly members = new Map<string, string[]>();
  private position = 0;
  private readonly waiters = new CheckpointWaiters(async () => this.position);

  async apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    if (event.position <= this.position) return 'skipped';
    if (this.position !== previousPosition) return 'behind';
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
    this.waiters.reached(this.position);
    return 'applied';
  }

  async applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    const last = events.at(-1);
    if (last === undefined || last.position <= this.position) return 'skipped';
    if (this.position !== previousPosition) return 'behind';
    let previous = previousPosition;
    for (const event of events) {
      await this.apply(event, previous);
      previous = event.position;
    }
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

  async checkpoint(): Promise<number> {
    return this.position;
  }

  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.waiters.waitFor(position, timeoutMs);
  }

  async loginByUsername(username: string): Promise<LoginLookup | null> {
    const userId = this.usernames.get(username);
    return userId === undefined ? null : this.loginByUserId(userId);
  }

  async loginByUserId(userId: string): Promise<LoginLookup | null> {
    const user = this.users.get(userId);
    if (user === undefined) return null;
    return structuredClone({ user: toLoginView(user), office: this.offices.get(user.officeId) ?? null });
  }

  async officePolicy(officeId: string): Promise<OfficePolicyView | null> {
    return structuredClone(this.offices.get(officeId) ?? null);
  }

  async officeMembers(
    officeId: string,
    page: { after: string | null; limit: number },
  ): Promise<Page<MemberView>> {
    const keys = this.members.get(officeId) ?? [];
    return pageOfMembers(keys, page, async (userIds) =>
      userIds.map((id) => {
        const user = this.users.get(id);
        return user === undefined ? null : memberView(user);
      }),
    );
  }

  async ping(): Promise<void> {}
}
