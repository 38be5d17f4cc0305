import { encryptedSecretSchema } from '../domain/shared/encrypted-secret.ts';
import { subjectKeyId } from '../domain/shared/personal-data.ts';
import { unknownUserStandInId } from './password-check.ts';
import type { EventStore } from './ports/event-store.ts';
import type { DataKeyRotation, RewrapOutcome } from './ports/personal-data-vault.ts';

export type RewrapReport = {
  /** The keyring key that wraps every data key now. */
  keyId: string;
  people: Record<RewrapOutcome, number>;
  serviceKeys: RewrapOutcome;
  /**
   * TOTP secrets written before data keys, encrypted with a keyring key directly, by key id: those
   * keys must stay in SECRET_KEYS, since events are never rewritten.
   */
  keyringSecrets: Record<string, number>;
};

const pageSize = 1_000;

/**
 * Keyring rotation, second half: re-wraps every person's data key (every registered user) and the
 * service's own keys under the newest keyring key, and counts what still needs an older one.
 */
export const rewrapDataKeys = async (
  events: Pick<EventStore, 'readAll' | 'headPosition'>,
  rotation: DataKeyRotation,
  onProgress: (position: number, head: number) => void = () => {},
): Promise<RewrapReport> => {
  const head = await events.headPosition();
  const report: RewrapReport = {
    keyId: rotation.currentKeyId,
    people: { rewrapped: 0, current: 0, erased: 0, missing: 0 },
    serviceKeys: await rotation.rewrapServiceKeys(),
    keyringSecrets: {},
  };
  // Not a user (so not counted), but logins of unknown usernames open its key: it must move too.
  await rotation.rewrapPerson(unknownUserStandInId);
  for (let position = 0; position < head; ) {
    const page = await events.readAll(position, pageSize);
    if (page.length === 0) break;
    for (const event of page) {
      const data = event.data as { userId?: string; secret?: unknown };
      if (event.type === 'UserRegistered' && data.userId !== undefined)
        report.people[await rotation.rewrapPerson(data.userId)] += 1;
      const secret = encryptedSecretSchema.safeParse(data.secret);
      if (event.type === 'TotpEnrollmentStarted' && secret.success && secret.data.keyId !== subjectKeyId)
        report.keyringSecrets[secret.data.keyId] = (report.keyringSecrets[secret.data.keyId] ?? 0) + 1;
    }
    position = page.at(-1)?.position ?? head;
    onProgress(position, head);
  }
  return report;
};
