import { createHash } from 'node:crypto';
import { type ExportCheckpoint, signCheckpoint } from '../../audit-chain/checkpoints.ts';
import type { ApplicationDeps } from '../../dependencies.ts';
import { type AuditFilter, matchesAudit, toAuditEvent } from './audit-events.ts';

const pageSize = 1_000;

/**
 * The NDJSON export, line by line: every matching event up to the head at the start, then one signed
 * checkpoint line over exactly those bytes, so a copy can be checked offline with the public key alone.
 */
export async function* signedAuditExport(
  deps: Pick<ApplicationDeps, 'events' | 'vault' | 'clock' | 'auditSigner'>,
  filter: AuditFilter,
): AsyncGenerator<string> {
  const head = await deps.events.headPosition();
  const digest = createHash('sha256');
  let eventCount = 0;
  for (let position = 0; position < head; ) {
    const batch = await deps.events.readAll(position, pageSize);
    if (batch.length === 0) break;
    for (const event of batch) {
      if (event.position > head) break;
      position = event.position;
      if (!matchesAudit(event, filter)) continue;
      const line = `${JSON.stringify(await toAuditEvent(deps.vault, event))}\n`;
      digest.update(line);
      eventCount += 1;
      yield line;
    }
    if ((batch.at(-1)?.position ?? head) >= head) break;
  }
  const checkpoint: ExportCheckpoint = {
    kind: 'export',
    version: 1,
    storeId: await deps.events.storeId(),
    position: head,
    eventCount,
    digest: digest.digest('hex'),
    filter: Object.fromEntries(
      Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    at: deps.clock.now().toISOString(),
    keyId: deps.auditSigner.keyId,
  };
  yield `${JSON.stringify({ type: 'checkpoint', ...signCheckpoint(deps.auditSigner, checkpoint) })}\n`;
}
