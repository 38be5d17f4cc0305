/**
 * Phase 4: append → applied to the Redis read model, at 1,000 events/s. The store, read models and
 * wiring come from compose(); the projector is the service's own class, given a target that notes
 * when each apply script has returned (the data is then visible to every Redis reader).
 */
import { join } from 'node:path';
import type { EventStore } from '../../src/application/ports/event-store.ts';
import type { ProjectionTarget, ReadModels } from '../../src/application/ports/read-models.ts';
import { Projector } from '../../src/application/projector.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/config/logger.ts';
import type { UserRole } from '../../src/domain/shared/actor.ts';
import { userAccountStream } from '../../src/domain/user-account/events.ts';
import { compose, loadDrivers, tokens } from '../../src/main.ts';
import type { Bench } from '../harness/bench.ts';
import type { Figure } from '../harness/figures.ts';
import { percentile } from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import { lagRatePerSecond, progress, redisUrl, round, settings, sleep } from '../harness/settings.ts';
import { eventMetadata, seedEventStore, userIdOf } from '../seed.ts';

export const projectionLag: Phase = {
  number: 4,
  name: 'projection-lag',
  stage: 'alone',
  run: async (bench) => {
    progress(`phase 4/7: projection lag at ${lagRatePerSecond} events/s`);
    const seeded = await seedEventStore(
      join(bench.dirs.lag, 'events.sqlite'),
      lagShape,
      bench.keyring,
      '$argon2id$bench',
      null,
    );
    const { figures, raw } = await measureProjectionLag(
      bench,
      { DATA_DIR: bench.dirs.lag, REDIS_KEY_PREFIX: bench.prefixes.lag },
      seeded.events,
      '',
      // One durable append at a time reaches only 1 / fsync time (about 870/s here); requests append
      // concurrently, and the writer thread commits what arrives meanwhile in one transaction.
      { concurrentAppends: true },
    );
    bench.raw.projectionLag = raw;
    return figures;
  },
};

/** The users of `lagShape`, seeded (in the format before sealing) into the store the lag is measured on. */
export const lagShape = { offices: 10, usersPerOffice: 10 };

/**
 * Measures commit → applied for a store already holding `seededEvents` events of `lagShape`: the store
 * and read models are those compose() makes of `env` (on top of Redis and the bench's keys).
 */
export const measureProjectionLag = async (
  bench: Bench,
  env: Record<string, string>,
  seededEvents: number,
  /** Added to the figure names, e.g. ", PostgreSQL". */
  label: string,
  options: { concurrentAppends?: boolean } = {},
): Promise<{ figures: Figure[]; raw: Record<string, unknown> }> => {
  const shape = lagShape;
  const config = loadConfig({
    REDIS_URL: redisUrl,
    SECRET_KEYS: bench.secretKeys,
    PLATFORM_API_KEY: bench.platformApiKey,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = createLogger('silent');
  const scope = compose(config, logger, bench.redis, await loadDrivers(config));
  const events = scope.resolve<EventStore>(tokens.eventStore);
  const readModels = scope.resolve<ReadModels & ProjectionTarget>(tokens.readModels);
  const appliedAt = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  const target: ProjectionTarget = {
    checkpoint: () => readModels.checkpoint(),
    origin: () => readModels.origin(),
    reject: (setId) => readModels.reject(setId),
    unfinishedBuild: () => readModels.unfinishedBuild(),
    startBuild: (storeId, head) => readModels.startBuild(storeId, head),
    apply: async (event, previous) => {
      const outcome = await readModels.apply(event, previous);
      if (outcome === 'applied') {
        appliedAt.set(event.position, performance.now());
        waiting.get(event.position)?.();
      }
      return outcome;
    },
    applyBatch: async (batch, previous) => {
      const outcome = await readModels.applyBatch(batch, previous);
      if (outcome === 'applied') {
        const now = performance.now();
        for (const event of batch) {
          appliedAt.set(event.position, now);
          waiting.get(event.position)?.();
        }
      }
      return outcome;
    },
  };
  const projector = new Projector(events, target, logger);
  projector.start();
  while ((await readModels.checkpoint()) < seededEvents) await sleep(20);

  const users = Array.from({ length: shape.offices * shape.usersPerOffice }, (_, i) =>
    userIdOf(Math.floor(i / shape.usersPerOffice), i % shape.usersPerOffice),
  );
  const roles = new Map<string, UserRole>(users.map((userId) => [userId, 'member']));
  const measure = async (rate: number, seconds: number) => {
    const total = Math.round(rate * seconds);
    const lags: number[] = [];
    const totalLags: number[] = [];
    let timedOut = 0;
    /** Waits until the projector applied `position`; resolves with when, or null after 5 s. */
    const applied = async (position: number): Promise<number | null> => {
      const at =
        appliedAt.get(position) ??
        (await Promise.race([
          new Promise<number>((resolve) => waiting.set(position, () => resolve(appliedAt.get(position)!))),
          new Promise<null>((resolve) => setTimeout(resolve, 5_000, null).unref()),
        ]));
      waiting.delete(position);
      appliedAt.delete(position);
      return at;
    };
    const pending: Promise<void>[] = [];
    // Paced by a 1 ms timer: each tick appends the events that are due, one append (one transaction)
    // each, synchronously on the event loop as the service does; between ticks the projector runs.
    const started = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      // At most two per tick: when the store cannot keep the pace the rate drops (and is reported)
      // instead of a growing burst starving the projector of the event loop.
      for (let inTick = 0; sent < due && inTick < 2; sent += 1, inTick += 1) {
        const userId = users[sent % users.length]!;
        const previousRole = roles.get(userId)!;
        const role: UserRole = previousRole === 'member' ? 'support' : 'member';
        roles.set(userId, role);
        const before = performance.now();
        const committed = events
          .append(
            userAccountStream(userId),
            [{ type: 'UserRoleChanged', data: { userId, role, previousRole }, metadata: eventMetadata() }],
            'any',
          )
          .then(({ position }) => ({ position, at: performance.now() }));
        pending.push(
          committed.then(async ({ position, at: committedAt }) => {
            const at = await applied(position);
            if (at === null) timedOut += 1;
            else {
              lags.push(Math.max(0, at - committedAt));
              totalLags.push(at - before);
            }
          }),
        );
        // One append after the other, as one request at a time would; or, with `concurrentAppends`,
        // as many requests at once, which a store with group commit takes in one transaction.
        if (!options.concurrentAppends) await committed;
      }
      await sleep(1);
    }
    const appendSeconds = (performance.now() - started) / 1000;
    await Promise.all(pending);
    lags.sort((a, b) => a - b);
    totalLags.sort((a, b) => a - b);
    return {
      count: lags.length,
      timedOut,
      p50: percentile(lags, 50),
      p99: percentile(lags, 99),
      max: lags.at(-1) ?? Number.NaN,
      withAppend: { p50: percentile(totalLags, 50), p99: percentile(totalLags, 99) },
      achieved: total / appendSeconds,
    };
  };
  // Baseline: two sequential Redis round trips (what one apply costs at least), 200 times, 5 ms apart.
  const floorSamples: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const before = performance.now();
    await bench.redis.get(`${bench.prefixes.lag}floor`);
    await bench.redis.get(`${bench.prefixes.lag}floor`);
    floorSamples.push(performance.now() - before);
    await sleep(5);
  }
  floorSamples.sort((a, b) => a - b);
  const floor = { p50: percentile(floorSamples, 50), p99: percentile(floorSamples, 99) };
  progress(
    `  baseline, two Redis GETs in a row: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`,
  );
  // A light load first (the floor: two Redis round trips per event), then the asked 1,000 events/s.
  const light = await measure(lagRatePerSecond / 10, 1);
  progress(
    `  at ${Math.round(light.achieved)}/s: commit → applied p50 ${light.p50.toFixed(2)} ms, p99 ${light.p99.toFixed(2)} ms`,
  );
  const { count, timedOut, p50, p99, max, withAppend, achieved } = await measure(
    lagRatePerSecond,
    settings.lagSeconds,
  );
  await projector.stop();
  await events.close();
  progress(
    `  ${count} events at ${Math.round(achieved)}/s: commit → applied p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms; append call → applied p50 ${withAppend.p50.toFixed(2)} ms, p99 ${withAppend.p99.toFixed(2)} ms`,
  );
  const raw = {
    floor,
    light,
    count,
    timedOut,
    p50,
    p99,
    max,
    withAppend,
    achievedRate: achieved,
  };
  const figures: Figure[] = [
    {
      figure: `projection lag p50${label}`,
      value: round(p50, 2),
      unit: 'ms',
      baseline: round(floor.p50, 2),
      ratio: round(p50 / floor.p50, 1),
      target: '—',
      met: null,
      note: `commit → applied; ${Math.round(achieved)} events/s achieved of ${lagRatePerSecond} asked; append call → applied p50 ${withAppend.p50.toFixed(2)} ms, p99 ${withAppend.p99.toFixed(2)} ms`,
    },
    {
      figure: `projection lag p99${label}`,
      value: round(p99, 2),
      unit: 'ms',
      baseline: round(floor.p99, 2),
      ratio: round(p99 / floor.p99, 1),
      target: '≤ 10 ms',
      met: p99 <= 10 && timedOut === 0 && achieved >= lagRatePerSecond * 0.95,
      ...(timedOut > 0 ? { note: `${timedOut} not applied within 5 s` } : {}),
    },
    {
      figure: `projection lag p99 at ${Math.round(light.achieved)} events/s${label}`,
      value: round(light.p99, 2),
      unit: 'ms',
      baseline: round(floor.p99, 2),
      ratio: round(light.p99 / floor.p99, 1),
      target: '—',
      met: null,
      note: `p50 ${light.p50.toFixed(2)} ms; baseline of the lag rows: two sequential Redis GETs (p50/p99)`,
    },
  ];
  return { figures, raw };
};
