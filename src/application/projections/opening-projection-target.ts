import { isSealed, type PersonalText } from '../../domain/shared/personal-data.ts';
import type { RecordedEvent } from '../ports/event-store.ts';
import { type PersonalDataVault, usernameAssociatedData } from '../ports/personal-data-vault.ts';
import type {
  ApplyOutcome,
  ProjectionTarget,
  ReadModelOrigin,
  ReadModelsBuild,
} from '../ports/read-models.ts';

const needsOpening = (event: RecordedEvent): boolean =>
  event.type === 'UserRegistered' && isSealed((event.data as { username: PersonalText }).username);

/**
 * Opens the sealed username before the read models see it: a login looks the user up by it. (The
 * password hash stays sealed there; a login opens it.) A user erased since stays sealed and is left out.
 */
export class OpeningProjectionTarget implements ProjectionTarget {
  private readonly target: ProjectionTarget;
  private readonly vault: PersonalDataVault;

  constructor(target: ProjectionTarget, vault: PersonalDataVault) {
    this.target = target;
    this.vault = vault;
  }

  origin(): Promise<ReadModelOrigin | null> {
    return this.target.origin();
  }

  reject(setId: string): Promise<void> {
    return this.target.reject(setId);
  }

  async unfinishedBuild(): Promise<ReadModelsBuild | null> {
    const build = await this.target.unfinishedBuild();
    return build === null ? null : this.opening(build);
  }

  async startBuild(storeId: string, target: number): Promise<ReadModelsBuild> {
    return this.opening(await this.target.startBuild(storeId, target));
  }

  /** Batches are opened at once but handed on in the order they came: a build applies them in that order. */
  private opening(build: ReadModelsBuild): ReadModelsBuild {
    let handedOn: Promise<unknown> = Promise.resolve();
    const applyInTurn = (events: RecordedEvent[], previous: number): Promise<ApplyOutcome> => {
      const opened = this.openedAll(events);
      // Wrapped, so that `turn` settles when the batch is handed on, not when it is applied.
      const turn = Promise.all([opened, handedOn]).then(([open]) => ({
        applying: build.applyBatch(open, previous),
      }));
      handedOn = turn.catch(() => {});
      return turn.then(({ applying }) => applying);
    };
    return {
      apply: (event, previous) => applyInTurn([event], previous),
      applyBatch: applyInTurn,
      checkpoint: () => build.checkpoint(),
      origin: () => build.origin(),
      promote: () => build.promote(),
    };
  }

  async apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    return this.target.apply(await this.opened(event), previousPosition);
  }

  async applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    return this.target.applyBatch(await this.openedAll(events), previousPosition);
  }

  /** Only sealed registrations wait for the vault: a rebuild passes 1,000 events at a time. */
  private async openedAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    if (!events.some(needsOpening)) return events;
    return Promise.all(events.map((event) => this.opened(event)));
  }

  checkpoint(): Promise<number> {
    return this.target.checkpoint();
  }

  private async opened(event: RecordedEvent): Promise<RecordedEvent> {
    if (event.type !== 'UserRegistered') return event;
    const data = event.data as { userId: string; username: PersonalText };
    if (!isSealed(data.username)) return event;
    const username = await this.vault.open(data.userId, data.username, usernameAssociatedData(data.userId));
    return username === null ? event : { ...event, data: { ...data, username } };
  }
}
