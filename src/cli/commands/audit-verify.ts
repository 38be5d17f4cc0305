import { verifyChains } from '../../application/audit-chain/verify-chain.ts';
import type { EventStore } from '../../application/ports/event-store.ts';
import { tokens } from '../../main.ts';
import type { CliCommand } from '../command.ts';
import { progressLine } from '../progress.ts';
import { withScope } from '../scope.ts';

export const auditVerify: CliCommand = {
  name: 'audit verify',
  synopsis: '',
  summary:
    'Check the hash chain of every stream; lists each broken stream and its first bad event, and exits 3 when any is broken.',
  run: async () =>
    withScope({ redis: false }, async (scope) => {
      const events = scope.resolve<EventStore>(tokens.eventStore);
      const head = await events.headPosition();
      const progress = progressLine('audit verify');
      const report = await verifyChains(events, {
        onProgress: (_checked, position) => progress.update(position, head),
      });
      progress.finish(
        `${report.eventsChecked.toLocaleString('en')} events in ${report.streamsChecked} streams checked`,
      );
      const lines = report.broken.map(
        (link) =>
          `BROKEN ${link.streamId} at revision ${link.revision} (position ${link.position}): ${link.reason}`,
      );
      lines.push(
        report.broken.length === 0 ? 'all chains intact' : `${report.broken.length} broken stream(s)`,
      );
      return { text: lines.join('\n'), json: report, exitCode: report.broken.length === 0 ? 0 : 3 };
    }),
};
