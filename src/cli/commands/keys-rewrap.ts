import type { EventStore } from '../../application/ports/event-store.ts';
import type { DataKeyRotation } from '../../application/ports/personal-data-vault.ts';
import { rewrapDataKeys } from '../../application/rewrap-data-keys.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { progressLine } from '../progress.ts';
import { withScope } from '../scope.ts';

export const keysRewrap: CliCommand = {
  name: 'keys rewrap',
  synopsis: '',
  summary:
    'After putting a new key first in SECRET_KEYS: wrap every data key with it, so that older keys can leave the ring (it lists any older key still needed by TOTP secrets written before data keys existed).',
  run: async () =>
    withScope({ redis: false }, async (scope) => {
      const progress = progressLine('keys rewrap');
      const report = await rewrapDataKeys(
        scope.resolve<EventStore>(tokens.eventStore),
        scope.resolve<DataKeyRotation>(tokens.vault),
        (position, head) => progress.update(position, head),
      );
      const { rewrapped, current, erased, missing } = report.people;
      progress.finish(
        `data keys of ${rewrapped + current + erased + missing} users: ${rewrapped} re-wrapped with "${report.keyId}", ` +
          `${current} were already, ${erased} erased, ${missing} never made; service keys ${report.serviceKeys}`,
      );
      const older = Object.entries(report.keyringSecrets);
      const text =
        older.length === 0
          ? `every data key is wrapped with "${report.keyId}": older keys can leave SECRET_KEYS`
          : `keep in SECRET_KEYS: ${older.map(([id, count]) => `"${id}" (${count} TOTP secrets written before data keys)`).join(', ')}`;
      return { text, json: report };
    }),
};
