import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { verifyStoreCheckpoints } from '../../src/application/audit-chain/verify-checkpoints.ts';
import type { AuditPublicKey } from '../../src/application/ports/audit-signer.ts';
import { type RouteTestService, startRouteTestService } from '../adapters/http/routes/route-test-service.ts';
import { type ReceivedNotification, webhookReceiver } from '../support/webhook-receiver.ts';

type CheckpointNotification = ReceivedNotification & {
  auditCheckpoint?: { checkpoint: { position: number; eventCount: number; kind: string } };
};

/** Waits, as long as the machine needs, for a periodic checkpoint that covers at least `position`. */
const checkpointCovering = async (received: CheckpointNotification[], position: number) => {
  for (;;) {
    const found = received.find(
      (n) =>
        n.type === 'audit-checkpoint-signed' && (n.auditCheckpoint?.checkpoint.position ?? 0) >= position,
    );
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('periodic audit checkpoints of the running service', { timeout: 60_000 }, () => {
  let t: RouteTestService;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;

  beforeAll(async () => {
    hooks = await webhookReceiver();
    t = await startRouteTestService({
      WEBHOOK_URL: hooks.url,
      WEBHOOK_SECRET: 'periodic-checkpoints-webhook-secret',
      AUDIT_CHECKPOINT_INTERVAL: '1',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await hooks?.close();
  });

  it('go out with the webhook on their own, and the copy received proves the store it came from', async () => {
    const officeId = await t.createOffice('Periodic');
    await t.createUser(officeId, 'periodic.member');
    const head = await t.call('GET', '/v1/audit/signing-key');
    const { keys } = head.json() as { keys: AuditPublicKey[] };
    const received = hooks.received as CheckpointNotification[];
    // Office, username and user: at least three events before the checkpoint that covers them.
    const delivered = await checkpointCovering(received, 3);
    expect(delivered.auditCheckpoint?.checkpoint).toMatchObject({ kind: 'store' });
    const signed = received.filter((n) => n.type === 'audit-checkpoint-signed');
    // Nothing to prove in an empty store: no periodic checkpoint of zero events went out.
    expect(signed.map((n) => n.auditCheckpoint?.checkpoint.eventCount)).not.toContain(0);
    // A second reader of the embedded store, as `second-factor audit verify` would be.
    const store = new SqliteEventStore(join(t.dataDir, 'events.sqlite'));
    try {
      const [check] = await verifyStoreCheckpoints(store, keys, [
        { name: 'from the webhook', content: delivered.auditCheckpoint },
      ]);
      expect(check?.verdict).toBe('intact');
    } finally {
      await store.close();
    }
  });
});
