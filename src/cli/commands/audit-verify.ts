import { verifyChains } from '../../application/audit-chain/verify-chain.ts';
import { verifyStoreCheckpoints } from '../../application/audit-chain/verify-checkpoints.ts';
import type { ApplicationDeps } from '../../application/dependencies.ts';
import type { EventStore } from '../../application/ports/event-store.ts';
import { tokens } from '../../main.ts';
import { describeChecks, readCheckpointFiles, readPublicKeys } from '../checkpoint-files.ts';
import { type CliCommand, UsageError } from '../command.ts';
import { progressLine } from '../progress.ts';
import { withScope } from '../scope.ts';

/** The checkpoint files: `--checkpoint a --checkpoint b`, or `--checkpoint a b`. */
const checkpointFiles = (values: Record<string, unknown>, positionals: string[]): string[] => {
  const named = Array.isArray(values.checkpoint) ? values.checkpoint.map(String) : [];
  if (positionals.length > 0 && named.length === 0)
    throw new UsageError('audit verify takes checkpoint files after --checkpoint');
  return [...named, ...positionals];
};

export const auditVerify: CliCommand = {
  name: 'audit verify',
  synopsis: '[--checkpoint <file>…] [--public-key <file>]',
  summary:
    "Check the hash chain of every stream; lists each broken stream and its first bad event. With --checkpoint, also prove that the history still holds each saved checkpoint's head (same store, same events up to its position) and name every checkpoint that fails; the public keys are the saved answer of GET /v1/audit/signing-key, or else this service's own. Exits 3 when anything is broken.",
  options: { checkpoint: { type: 'string', multiple: true }, 'public-key': { type: 'string' } },
  positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  run: async ({ values, positionals }) => {
    const checkpoints = checkpointFiles(values, positionals);
    const publicKeyFile = typeof values['public-key'] === 'string' ? values['public-key'] : undefined;
    return withScope({ redis: false }, async (scope) => {
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
      const chainsIntact = report.broken.length === 0;
      if (checkpoints.length === 0)
        return { text: lines.join('\n'), json: report, exitCode: chainsIntact ? 0 : 3 };
      const keys =
        publicKeyFile === undefined
          ? scope.resolve<ApplicationDeps>(tokens.applicationDeps).auditSigner.publicKeys()
          : readPublicKeys(publicKeyFile);
      const checks = await verifyStoreCheckpoints(events, keys, readCheckpointFiles(checkpoints));
      const described = describeChecks(checks);
      return {
        text: [...lines, ...described.lines].join('\n'),
        json: { ...report, checkpoints: checks },
        exitCode: chainsIntact && !described.failed ? 0 : 3,
      };
    });
  },
};
