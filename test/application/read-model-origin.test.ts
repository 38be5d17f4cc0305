import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.ts';
import { RedisReadModels } from '../../src/adapters/redis/redis-read-models.ts';
import type { EventStore } from '../../src/application/ports/event-store.ts';
import {
  type ProjectionTarget,
  type ReadModels,
  ReadModelsRebuildingError,
} from '../../src/application/ports/read-models.ts';
import { OriginCheckedReadModels } from '../../src/application/projections/origin-gate.ts';
import { Projector } from '../../src/application/projector.ts';
import { untilServing } from '../support/read-models.ts';
import { findTestRedis, noRedisReason, privateRedis } from '../support/redis.ts';
import { appendStory } from '../support/story-events.ts';

const server = await findTestRedis();
if (server === null) console.warn(`Read-model origin checks with Redis ${noRedisReason}`);
const redisOf = server === null ? null : await privateRedis(server.url, 'origin');
afterAll(async () => {
  await redisOf?.cleanup();
  await server?.stop();
});

type Subject = ReadModels & ProjectionTarget;
const adapters: { name: string; open: () => Subject }[] = [
  { name: 'in-memory', open: () => new MemoryReadModels() },
  ...(redisOf === null
    ? []
    : [
        {
          name: 'Redis',
          open: () =>
            new RedisReadModels(redisOf.redis, { prefix: `${redisOf.prefix}${Math.random().toString(36)}:` }),
        },
      ]),
];

const logged: { details: object; message: string }[] = [];
const log = {
  info: () => {},
  error: (details: object, message: string) => logged.push({ details, message }),
};

/** Runs a projector until the read models serve `head`, then stops it. */
const projectUntilServing = async (events: EventStore, readModels: Subject, head: number) => {
  const projector = new Projector(events, readModels, log, { watchdogMs: 50 });
  projector.start();
  await untilServing(readModels, head);
  await projector.stop();
  expect(await readModels.origin()).toMatchObject({
    serving: true,
    checkpoint: head,
    storeId: await events.storeId(),
  });
};

describe.each(adapters)('read models checked against the event store ($name)', ({ open }) => {
  it('(3) rejects read models whose checkpoint is beyond the store’s head (same store id), then rebuilds them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-beyond-'));
    try {
      const path = join(dir, 'events.sqlite');
      let store = new SqliteEventStore(path);
      await appendStory(store, 3, 4);
      const readModels = open();
      await projectUntilServing(store, readModels, await store.headPosition());
      const storeId = await store.storeId();
      await store.close();
      // The newest office (its events come last) goes: an older copy of the same store.
      const db = new DatabaseSync(path);
      db.exec(`DELETE FROM events WHERE stream_id LIKE '%office-2%' OR data LIKE '%office-2%'`);
      db.close();
      store = new SqliteEventStore(path);
      const head = await store.headPosition();
      expect(await store.storeId()).toBe(storeId);
      expect((await readModels.origin())?.checkpoint).toBeGreaterThan(head);

      const metrics = new PrometheusMetrics([]);
      const gate = new OriginCheckedReadModels(readModels, readModels, store, (verdict) =>
        metrics.readModelsOrigin(verdict),
      );
      expect(await gate.check()).toMatchObject({ ok: false, problem: 'beyond-head', storeId });
      await expect(gate.loginByUsername('user2.0')).rejects.toBeInstanceOf(ReadModelsRebuildingError);
      // Rejected for every reader, not only behind this gate.
      await expect(readModels.loginByUsername('user2.0')).rejects.toBeInstanceOf(ReadModelsRebuildingError);
      expect(await metrics.render()).toMatch(
        new RegExp(
          `second_factor_read_models_origin_mismatch\\{problem="beyond-head",store_id="${storeId}",read_models_store_id="${storeId}"\\} 1`,
        ),
      );

      await projectUntilServing(store, readModels, head);
      expect((await gate.check()).ok).toBe(true);
      expect(await gate.loginByUsername('user2.0')).toBeNull();
      expect((await gate.loginByUsername('user1.0'))?.user.officeId).toBe('office-1');
      expect(await metrics.render()).not.toMatch(/origin_mismatch\{/);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects read models of another store, logging and counting both ids, and builds from this store', async () => {
    const first = new MemoryEventStore();
    await appendStory(first, 2, 3);
    const readModels = open();
    await projectUntilServing(first, readModels, await first.headPosition());
    const second = new MemoryEventStore();
    await appendStory(second, 1, 2);
    const [firstId, secondId] = [await first.storeId(), await second.storeId()];
    const metrics = new PrometheusMetrics([]);
    const gate = new OriginCheckedReadModels(readModels, readModels, second, (verdict) =>
      metrics.readModelsOrigin(verdict),
    );
    expect(await gate.check()).toMatchObject({
      ok: false,
      problem: 'foreign-store',
      storeId: secondId,
      readModelsStoreId: firstId,
    });
    await expect(gate.loginByUsername('user1.0')).rejects.toBeInstanceOf(ReadModelsRebuildingError);
    await expect(gate.waitFor(1, 50)).rejects.toBeInstanceOf(ReadModelsRebuildingError);
    expect(await metrics.render()).toContain(
      `problem="foreign-store",store_id="${secondId}",read_models_store_id="${firstId}"`,
    );
    logged.length = 0;
    await projectUntilServing(second, readModels, await second.headPosition());
    expect(logged.some(({ details }) => JSON.stringify(details).includes(firstId))).toBe(true);
    expect((await gate.check()).ok).toBe(true);
    expect(await gate.loginByUsername('user1.0')).toBeNull();
    expect((await gate.loginByUsername('user0.1'))?.user.officeId).toBe('office-0');
  });
});
