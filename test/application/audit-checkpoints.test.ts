import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, vi } from 'vitest';
import { Ed25519AuditSigner } from '../../src/adapters/crypto/ed25519-audit-signer.ts';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { SystemClock } from '../../src/adapters/system/system-clock.ts';
import { UuidIds } from '../../src/adapters/system/uuid-ids.ts';
import { AuditCheckpointer } from '../../src/application/audit-chain/checkpointer.ts';
import { chainEvents } from '../../src/application/audit-chain/hash-chain.ts';
import { startPeriodicCheckpoints } from '../../src/application/audit-chain/periodic-checkpoints.ts';
import { verifyStoreCheckpoints } from '../../src/application/audit-chain/verify-checkpoints.ts';
import type { EventStore } from '../../src/application/ports/event-store.ts';
import type { Notification } from '../../src/application/ports/notifier.ts';
import { anEvent, uniqueStream } from '../support/events.ts';
import { memoryVault } from '../support/vault.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });
const context = { actor: { id: 'test', role: 'system' as const }, correlationId: 'c-1' };

const setUp = (signer = new Ed25519AuditSigner([key('k1')]), events: EventStore = new MemoryEventStore()) => {
  const sent: Notification[] = [];
  const checkpointer = new AuditCheckpointer({
    events,
    clock: new SystemClock(),
    ids: new UuidIds(),
    vault: memoryVault(),
    notifier: { notify: (notification) => sent.push(notification) },
    auditSigner: signer,
  });
  const append = async (count = 1) => {
    for (let i = 0; i < count; i++) {
      const stream = uniqueStream('office');
      await events.append(stream, chainEvents(stream, undefined, [anEvent({ i })]), 'no-stream');
    }
  };
  return { events, signer, checkpointer, sent, append };
};

const verify = (events: EventStore, signer: Ed25519AuditSigner, ...signed: unknown[]) =>
  verifyStoreCheckpoints(
    events,
    signer.publicKeys(),
    signed.map((content, index) => ({ name: `cp-${index + 1}.json`, content })),
  );

describe('signed audit checkpoints', () => {
  it('describe the history before them, are kept in it after that, and go out with the notifier', async () => {
    const { events, checkpointer, sent, append } = setUp();
    await append(3);
    const { signed, position } = await checkpointer.checkpoint(context);
    expect(signed.checkpoint).toMatchObject({
      kind: 'store',
      position: 3,
      eventCount: 3,
      streamCount: 3,
      storeId: await events.storeId(),
      keyId: 'k1',
    });
    expect(signed.checkpoint.lastEventHash).toMatch(/^[0-9a-f]{64}$/);
    expect(position).toBe(4);
    const [kept] = await events.readStream('audit-checkpoints');
    expect(kept).toMatchObject({ type: 'AuditCheckpointSigned', data: signed, position: 4 });
    expect(sent).toEqual([
      { type: 'audit-checkpoint-signed', occurredAt: signed.checkpoint.at, auditCheckpoint: signed },
    ]);
  });

  it('stay intact while the history grows past them, each later one covering the one before', async () => {
    const { events, signer, checkpointer, append } = setUp();
    await append(2);
    const first = (await checkpointer.checkpoint(context)).signed;
    await append(2);
    const second = (await checkpointer.checkpoint(context)).signed;
    expect(second.checkpoint).toMatchObject({ position: 5, eventCount: 5 });
    expect((await verify(events, signer, first, second)).map((check) => check.verdict)).toEqual([
      'intact',
      'intact',
    ]);
  });

  it('periodic runs skip an empty store, and a history where nothing but checkpoints happened since the last one', async () => {
    const { events, checkpointer, append } = setUp();
    expect(await checkpointer.checkpointIfChanged(context)).toBeNull();
    expect(await events.headPosition()).toBe(0);
    await append(1);
    expect(await checkpointer.checkpointIfChanged(context)).not.toBeNull();
    expect(await checkpointer.checkpointIfChanged(context)).toBeNull();
    expect(await events.headPosition()).toBe(2);
    await append(1);
    expect((await checkpointer.checkpointIfChanged(context))?.signed.checkpoint.position).toBe(3);
  });

  it('fail with a key that is not among the public keys, a changed signature, or another store', async () => {
    const { events, signer, checkpointer, append } = setUp();
    await append(2);
    const { signed } = await checkpointer.checkpoint(context);
    const stranger = new Ed25519AuditSigner([key('k1')]);
    expect((await verify(events, stranger, signed))[0]?.verdict).toBe('bad-signature');
    const otherId = new Ed25519AuditSigner([key('k9')]);
    expect((await verify(events, otherId, signed))[0]?.verdict).toBe('unknown-key');
    const forged = { ...signed, checkpoint: { ...signed.checkpoint, eventCount: 1 } };
    expect((await verify(events, signer, forged))[0]?.verdict).toBe('bad-signature');
    const elsewhere = setUp(signer);
    await elsewhere.append(2);
    expect((await verify(elsewhere.events, signer, signed))[0]).toEqual({
      name: 'cp-1.json',
      position: 2,
      verdict: 'other-store',
    });
    expect((await verify(events, signer, { not: 'a checkpoint' }))[0]?.verdict).toBe('unreadable');
  });

  it('after a key rotation, checkpoints of the older key still verify while it stays listed', async () => {
    const k1 = key('k1');
    const before = setUp(new Ed25519AuditSigner([k1]));
    await before.append(1);
    const old = (await before.checkpointer.checkpoint(context)).signed;
    const rotated = new Ed25519AuditSigner([key('k2'), k1]);
    const after = setUp(rotated, before.events);
    const fresh = (await after.checkpointer.checkpoint(context)).signed;
    expect(fresh.checkpoint.keyId).toBe('k2');
    expect(rotated.publicKeys().map((publicKey) => publicKey.keyId)).toEqual(['k2', 'k1']);
    expect((await verify(before.events, rotated, old, fresh)).map((check) => check.verdict)).toEqual([
      'intact',
      'intact',
    ]);
    const k2Only = new Ed25519AuditSigner([key('k2')]);
    expect((await verify(before.events, k2Only, old))[0]?.verdict).toBe('unknown-key');
  });

  it('after the store was cut and grew again, the next checkpoint describes the store as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-checkpointer-'));
    const file = join(dir, 'events.sqlite');
    const store = new SqliteEventStore(file);
    try {
      const { signer, checkpointer, append } = setUp(undefined, store);
      await append(4);
      await checkpointer.checkpoint(context);
      const db = new DatabaseSync(file);
      db.prepare('DELETE FROM events WHERE position > ?').run(2);
      db.close();
      await append(4);
      const { signed } = await checkpointer.checkpoint(context);
      expect(signed.checkpoint.eventCount).toBe(6);
      expect((await verify(store, signer, signed))[0]?.verdict).toBe('intact');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('call a missing tail cut-off from the events left, whatever the head counter says; a hole before the position is rewritten', async () => {
    const { events, signer, checkpointer, append } = setUp();
    await append(4);
    const { signed } = await checkpointer.checkpoint(context);
    // As PostgreSQL after a DELETE: rows gone, the head counter (all_head) still where it was.
    const without = (gone: (position: number) => boolean) => ({
      storeId: () => events.storeId(),
      headPosition: () => events.headPosition(),
      readAll: async (after: number, limit: number) =>
        (await events.readAll(after, Number.MAX_SAFE_INTEGER))
          .filter((event) => !gone(event.position))
          .slice(0, limit),
    });
    const cut = without((position) => position > 2);
    expect(
      (await verifyStoreCheckpoints(cut, signer.publicKeys(), [{ name: 'a', content: signed }]))[0],
    ).toEqual({ name: 'a', position: 4, verdict: 'cut-off' });
    const holed = without((position) => position === 3);
    expect(
      (await verifyStoreCheckpoints(holed, signer.publicKeys(), [{ name: 'b', content: signed }]))[0]
        ?.verdict,
    ).toBe('rewritten');
  });

  it('run periodically on the leader only, and not at all with interval 0', async () => {
    vi.useFakeTimers();
    try {
      let leader = false;
      const sign = vi.fn(async () => {});
      const periodic = startPeriodicCheckpoints({
        intervalSeconds: 60,
        isLeader: () => leader,
        sign,
        onError: () => {},
      });
      await vi.advanceTimersByTimeAsync(120_000);
      expect(sign).not.toHaveBeenCalled();
      leader = true;
      await vi.advanceTimersByTimeAsync(120_000);
      expect(sign).toHaveBeenCalledTimes(2);
      await periodic.stop();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(sign).toHaveBeenCalledTimes(2);
      const off = vi.fn(async () => {});
      startPeriodicCheckpoints({ intervalSeconds: 0, isLeader: () => true, sign: off, onError: () => {} });
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(off).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
