import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.ts';
import { SqliteReadModels } from '../../../src/adapters/sqlite/sqlite-read-models.ts';
import type { ProjectionTarget, ReadModels } from '../../../src/application/ports/read-models.ts';
import { projectionVersion } from '../../../src/application/projections/documents.ts';
import { judgeOrigin } from '../../../src/application/projections/origin-verdict.ts';
import { Projector } from '../../../src/application/projector.ts';
import { readModelsContract, story } from '../../contracts/read-models.contract.ts';
import { untilServing } from '../../support/read-models.ts';
import { appendStory } from '../../support/story-events.ts';

const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'second-factor-rm-'));
  return {
    path: join(dir, 'read-models.sqlite'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};

readModelsContract('SQLite', async () => {
  const file = tempFile();
  const readModels = new SqliteReadModels(file.path);
  return {
    readModels,
    dispose: async () => {
      readModels.close();
      file.remove();
    },
  };
});

describe('SQLite read models across a restart', () => {
  it('keep their documents, checkpoint and origin in the file: reopened, they serve at once', async () => {
    const file = tempFile();
    try {
      const events = story();
      const head = events.at(-1)?.position ?? 0;
      const first = new SqliteReadModels(file.path);
      const build = await first.startBuild('store-a', head);
      expect(await build.applyBatch(events, 0)).toBe('applied');
      expect(await build.promote()).toBe(true);
      first.close();
      const reopened = new SqliteReadModels(file.path);
      expect(await reopened.origin()).toEqual({
        setId: expect.any(String),
        storeId: 'store-a',
        target: head,
        checkpoint: head,
        serving: true,
        rejected: false,
        projection: projectionVersion,
      });
      expect((await reopened.loginByUsername('bob'))?.user.recoveryCodesLeft).toBe(9);
      reopened.close();
    } finally {
      file.remove();
    }
  });
});

describe('the projector over SQLite read models, restarted', () => {
  const silent = { info: () => {}, error: () => {} };
  /** Counts the events the projector applies through this target. */
  const counting = (inner: SqliteReadModels) => {
    const applied = { count: 0 };
    const target: ReadModels & ProjectionTarget = Object.assign(Object.create(inner) as SqliteReadModels, {
      applyBatch: async (events: Parameters<SqliteReadModels['applyBatch']>[0], previous: number) => {
        const outcome = await inner.applyBatch(events, previous);
        if (outcome === 'applied') applied.count += events.length;
        return outcome;
      },
    });
    return { target, applied };
  };
  const runUntil = async (store: MemoryEventStore, target: ReadModels & ProjectionTarget) => {
    const head = await store.headPosition();
    const projector = new Projector(store, target, silent);
    projector.start();
    await untilServing(target, head);
    await projector.stop();
  };

  it('applies only the events appended since the last run, without building again', async () => {
    const file = tempFile();
    try {
      const store = new MemoryEventStore();
      await appendStory(store, 3, 4);
      const builtAt = await store.headPosition();
      const first = new SqliteReadModels(file.path);
      await runUntil(store, first);
      first.close();
      await appendStory(store, 1, 2);
      const reopened = new SqliteReadModels(file.path);
      const { target, applied } = counting(reopened);
      await runUntil(store, target);
      // Followed live from the checkpoint in the file: only the new events, and no second build.
      expect(applied.count).toBe((await store.headPosition()) - builtAt);
      expect(await reopened.origin()).toMatchObject({
        target: builtAt,
        serving: true,
        checkpoint: await store.headPosition(),
      });
      reopened.close();
    } finally {
      file.remove();
    }
  });

  it('rebuilds a set made by an older projection version (a file from before versions counts as 1)', async () => {
    const file = tempFile();
    try {
      const store = new MemoryEventStore();
      await appendStory(store, 2, 2);
      const first = new SqliteReadModels(file.path);
      await runUntil(store, first);
      const before = await first.origin();
      first.close();
      // What a file from before projection versions holds: the column did not exist, so it reads 1.
      const raw = new DatabaseSync(file.path);
      raw.exec('ALTER TABLE origin DROP COLUMN projection');
      raw.close();
      const reopened = new SqliteReadModels(file.path);
      const old = await reopened.origin();
      expect(old).toMatchObject({ setId: before?.setId, projection: 1 });
      expect(await judgeOrigin(() => reopened.origin(), store)).toMatchObject({
        ok: false,
        problem: 'old-projection',
      });
      const projector = new Projector(store, reopened, silent);
      projector.start();
      await expect
        .poll(async () => (await reopened.origin())?.setId, { timeout: 20_000 })
        .not.toBe(before?.setId);
      await untilServing(reopened, await store.headPosition());
      await projector.stop();
      const rebuilt = await reopened.origin();
      expect(rebuilt).toMatchObject({ serving: true, projection: projectionVersion });
      expect(rebuilt?.setId).not.toBe(before?.setId);
      expect(rebuilt?.checkpoint).toBe(await store.headPosition());
      expect(await judgeOrigin(() => reopened.origin(), store)).toMatchObject({ ok: true });
      reopened.close();
    } finally {
      file.remove();
    }
  });
});
