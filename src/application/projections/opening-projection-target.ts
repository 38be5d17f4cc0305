import { isSealed, type PersonalText } from '../../domain/shared/personal-data.ts';
import type { RecordedEvent } from '../ports/event-store.ts';
import {
  type PersonalDataVault,
  passwordHashAssociatedData,
  usernameAssociatedData,
} from '../ports/personal-data-vault.ts';
import type { ApplyOutcome, ProjectionTarget } from '../ports/read-models.ts';

/** The sealed fields the read models need in the clear, by event type, with their associated data. */
const fieldsToOpen: Record<string, Record<string, (userId: string) => string>> = {
  UserRegistered: { username: usernameAssociatedData, passwordHash: passwordHashAssociatedData },
  PasswordChanged: { passwordHash: passwordHashAssociatedData },
};

/**
 * Opens the sealed username and password hash before the read models see them: logins need them in
 * the clear. The fields of a user erased since stay sealed, and the projection leaves that user out.
 */
export class OpeningProjectionTarget implements ProjectionTarget {
  private readonly target: ProjectionTarget;
  private readonly vault: PersonalDataVault;

  constructor(target: ProjectionTarget, vault: PersonalDataVault) {
    this.target = target;
    this.vault = vault;
  }

  async apply(event: RecordedEvent, previousPosition: number): Promise<ApplyOutcome> {
    return this.target.apply(await this.opened(event), previousPosition);
  }

  async applyBatch(events: RecordedEvent[], previousPosition: number): Promise<ApplyOutcome> {
    return this.target.applyBatch(
      await Promise.all(events.map((event) => this.opened(event))),
      previousPosition,
    );
  }

  checkpoint(): Promise<number> {
    return this.target.checkpoint();
  }

  private async opened(event: RecordedEvent): Promise<RecordedEvent> {
    const fields = fieldsToOpen[event.type];
    if (fields === undefined) return event;
    const data = { ...(event.data as Record<string, unknown> & { userId: string }) };
    for (const [field, associatedData] of Object.entries(fields)) {
      const value = data[field] as PersonalText;
      if (!isSealed(value)) continue;
      const opened = await this.vault.open(data.userId, value, associatedData(data.userId));
      if (opened !== null) data[field] = opened;
    }
    return { ...event, data };
  }
}
