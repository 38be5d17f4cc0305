import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import { ReadModelUnavailableError } from '../../src/application/ports/read-models.ts';
import { StartUpGatedReadModels } from '../../src/application/projections/start-up-gate.ts';
import { Projector } from '../../src/application/projector.ts';
import { appendStory } from '../support/story-events.ts';

const silent = { info: () => {}, error: () => {} };

describe('start-up gate of in-process read models', () => {
  it('fails every read closed (503) until the projector has caught up, then answers', async () => {
    const store = new MemoryEventStore();
    await appendStory(store, 2, 3);
    const readModels = new MemoryReadModels();
    const gated = new StartUpGatedReadModels(readModels);
    await expect(gated.loginByUsername('user0.0')).rejects.toBeInstanceOf(ReadModelUnavailableError);
    await expect(gated.ping()).rejects.toBeInstanceOf(ReadModelUnavailableError);
    await expect(gated.officePolicy('office-0')).rejects.toBeInstanceOf(ReadModelUnavailableError);
    await expect(gated.officeMembers('office-0', { after: null, limit: 5 })).rejects.toBeInstanceOf(
      ReadModelUnavailableError,
    );
    const caughtUp = new Promise<void>((resolve) => {
      const projector = new Projector(store, readModels, silent, {
        onCaughtUp: () => {
          gated.open();
          void projector.stop().then(resolve);
        },
      });
      projector.start();
    });
    await caughtUp;
    expect((await gated.loginByUsername('user0.0'))?.user.userId).toBe('user-0-0');
    await expect(gated.ping()).resolves.toBeUndefined();
  });

  it('lets timers run between catch-up pages, so a long catch-up does not hold the event loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-gate-'));
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      await appendStory(store, 40, 60);
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 0);
      await new Promise<void>((resolve) => {
        const projector = new Projector(store, new MemoryReadModels(), silent, {
          onCaughtUp: () => void projector.stop().then(resolve),
        });
        projector.start();
      });
      clearInterval(ticker);
      expect(await store.headPosition()).toBeGreaterThan(3 * 1000);
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
