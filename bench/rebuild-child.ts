/**
 * Runs rebuildRedisReadModels (the CLI's rebuild) in its own process so its peak RSS is its own.
 * Started with fork(); receives the store path, Redis URL, prefix and a time cap; answers the figures.
 * The cap makes `readAll` return an empty page after the deadline, which ends the rebuild early
 * (completeBuild stops on an empty page, unpromoted), so a slow rebuild still fits the bench's time budget.
 */

import { randomBytes } from 'node:crypto';
import { AesGcmSecretCipher } from '../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { DataKeyVault } from '../src/adapters/crypto/data-key-vault.ts';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { MemoryDataKeyStore } from '../src/adapters/memory/memory-data-key-store.ts';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { SystemClock } from '../src/adapters/system/system-clock.ts';
import { rebuildRedisReadModels } from '../src/cli/rebuild-read-models.ts';

/** The rebuild store holds events in the format before sealing (see copyStoreScaled): no key is read. */
const plainEventsVault = () =>
  new DataKeyVault(
    new MemoryDataKeyStore(),
    new AesGcmSecretCipher([{ id: 'unused', key: randomBytes(32) }]),
    new SystemClock(),
  );

type Start = { storePath: string; redisUrl: string; prefix: string; capSeconds: number };
export type RebuildReport = {
  applied: number;
  total: number;
  seconds: number;
  eventsPerSecond: number;
  capped: boolean;
  peakRssMb: number;
  startRssMb: number;
};

process.once('message', async (message: Start) => {
  const store = new SqliteEventStore(message.storePath);
  const redis = await connectRedis(message.redisUrl);
  const startRssMb = process.memoryUsage.rss() / 2 ** 20;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  const deadline = started + message.capSeconds * 1000;
  let capped = false;
  let lastReport = started;
  const limited = {
    headPosition: () => store.headPosition(),
    storeId: () => store.storeId(),
    readAll: async (after: number, limit: number) => {
      if (performance.now() > deadline) {
        capped = true;
        return [];
      }
      return store.readAll(after, limit);
    },
  };
  const outcome = await rebuildRedisReadModels(
    limited,
    redis,
    message.prefix,
    plainEventsVault(),
    (progress) => {
      const now = performance.now();
      if (now - lastReport < 5_000) return;
      lastReport = now;
      const rate = progress.applied / ((now - started) / 1000);
      process.send?.({ progress: `${progress.applied}/${progress.total} events, ${Math.round(rate)}/s` });
    },
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
  const report: RebuildReport = {
    applied: outcome.applied,
    total: outcome.total,
    seconds,
    eventsPerSecond: outcome.applied / seconds,
    capped,
    peakRssMb: peakRss / 2 ** 20,
    startRssMb,
  };
  process.send?.({ report });
  redis.disconnect();
  await store.close();
  process.disconnect();
});
