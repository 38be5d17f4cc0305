/**
 * The benchmark: `npm run bench` (about 5 minutes) or `npm run bench -- --quick` (about a minute);
 * `-- --only=<phase,…>` runs some phases. Every speed figure is a ratio to a baseline measured in the
 * same run on the same machine. The phases are in bench/phases (listed in index.ts), the shared
 * harness in bench/harness; bench/README.md says what each figure measures and how.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { connectRedis, deleteKeysWithPrefix } from '../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../src/adapters/redis/redis-read-models.ts';
import {
  type BareRouteResult,
  measureBareRoute,
  measureDurableBareRoute,
  measureKeptBareRoute,
  measureKeptDurableBareRoute,
} from './harness/bare-route.ts';
import { type Bench, type BenchSetup, createBenchSetup, usersOf } from './harness/bench.ts';
import { type NumberedFigure, printTable, writeResults } from './harness/figures.ts';
import type { Phase } from './harness/phase.ts';
import { rssOf, waitForExit } from './harness/processes.ts';
import { cores, onlyPhases, progress, quick, redisUrl, settings, sleep } from './harness/settings.ts';
import { startCommandLine } from './harness/start-command.ts';
import { phases } from './phases/index.ts';
import { benchPasswordHash, seedEventStore } from './seed.ts';

const unknownPhases = (onlyPhases ?? []).filter((name) => !phases.some((phase) => phase.name === name));
if (unknownPhases.length > 0) {
  process.stderr.write(
    `unknown phase ${unknownPhases.join(', ')}; phases: ${phases.map((phase) => phase.name).join(', ')}\n`,
  );
  process.exit(2);
}
const selected = phases.filter((phase) => onlyPhases === null || onlyPhases.includes(phase.name));
const figures: NumberedFigure[] = [];

const runPhase = async (bench: Bench, phase: Phase) => {
  for (const figure of await phase.run(bench)) figures.push({ phase: phase.number, ...figure });
};

/** Starts the service on the seeded store with Redis read models and waits until it has projected everything. */
const startSeededService = async (bench: Bench) => {
  progress(
    `service: starting \`${startCommandLine()}\` (as \`npm start\` does, default LOG_LEVEL) on the seeded store with Redis read models`,
  );
  const started = performance.now();
  const service = await bench.startService({ prefix: bench.prefixes.service });
  const readModels = new RedisReadModels(bench.redis, { prefix: bench.prefixes.service });
  let lastLine = performance.now();
  for (;;) {
    const checkpoint = await readModels.checkpoint();
    if (checkpoint >= bench.seeded.events) break;
    if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.logs.join('')}`);
    if (performance.now() - lastLine > 5_000) {
      lastLine = performance.now();
      progress(`service: projection at ${checkpoint}/${bench.seeded.events}`);
    }
    await sleep(20);
  }
  const catchUpSeconds = (performance.now() - started) / 1000;
  progress(
    `service: start-up with Redis read models, ${bench.seeded.events} events projected, in ${catchUpSeconds.toFixed(1)} s (${Math.round(bench.seeded.events / catchUpSeconds)}/s)`,
  );
  bench.raw.catchUp = { events: bench.seeded.events, seconds: catchUpSeconds };
  return service;
};

/** The 'service' stage: the seeded service up, its RSS sampled, each service phase in turn, then stopped. */
const serviceStage = async (bench: Bench, stagePhases: readonly Phase[]) => {
  const service = await startSeededService(bench);
  bench.service = service;
  await sleep(1_000);
  const rss = bench.serviceRss;
  rss.idle = rssOf(service.child.pid!) ?? Number.NaN;
  rss.peak = rss.idle;
  const sampler = setInterval(() => {
    rss.peak = Math.max(rss.peak, rssOf(service.child.pid!) ?? 0);
  }, 100);
  try {
    for (const phase of stagePhases) await runPhase(bench, phase);
  } finally {
    clearInterval(sampler);
  }
  bench.raw.serviceLog = { bytes: service.logBytes.count, last: service.logs.join('').slice(-2_000) };
  if (service.logBytes.count > 0)
    progress(
      `service: wrote ${service.logBytes.count} bytes of log; last: ${service.logs.at(-1)?.trim().slice(0, 300)}`,
    );
  progress('service: stopping');
  bench.service = null;
  service.child.kill('SIGTERM');
  await waitForExit(service.child, 10_000);
  await deleteKeysWithPrefix(bench.redis, bench.prefixes.service);
};

const main = async (bench: Bench) => {
  const servicePhases = selected.filter((phase) => phase.stage === 'service');
  if (servicePhases.length > 0) await serviceStage(bench, servicePhases);
  for (const phase of selected.filter((each) => each.stage === 'alone')) await runPhase(bench, phase);
  figures.sort((a, b) => a.phase - b.phase);
  printTable(figures);
  writeResults(figures, bench.raw);
};

progress(
  `${quick ? 'quick' : 'full'} run on ${cores} cores, Node ${process.version}, Redis ${redisUrl.replace(/\/\/[^@]*@/, '//***@')}${onlyPhases === null ? '' : `, phases ${selected.map((phase) => phase.name).join(', ')}`}`,
);
const setup = createBenchSetup(await connectRedis(redisUrl));
try {
  progress('seed: hashing the shared password with argon2id at the configured cost');
  const passwordHash = await benchPasswordHash();
  const seeded = await seedEventStore(
    join(setup.dirs.service, 'events.sqlite'),
    settings.shape,
    setup.keyring,
    passwordHash,
    join(setup.dirs.service, 'data-keys.sqlite'),
  );
  progress(
    `seed: ${seeded.users} users (${seeded.enrolled} enrolled) in ${settings.shape.offices} offices = ${seeded.events} events in ${seeded.seconds.toFixed(1)} s`,
  );
  const users = usersOf(settings.shape);
  let bare: Promise<BareRouteResult> | null = null;
  const bareRoute = () => (bare ??= measureBareRoute(setup, users.enrolled[0]!.userId));
  /** A baseline measured once, on first use, after the bare route (it reads the values that one wrote). */
  const afterBareRoute = (measure: (on: BenchSetup) => Promise<BareRouteResult>) => {
    let result: Promise<BareRouteResult> | null = null;
    return () => (result ??= bareRoute().then(() => measure(setup)));
  };
  await main({
    ...setup,
    passwordHash,
    seeded,
    users,
    service: null,
    bareRoute,
    durableBareRoute: afterBareRoute(measureDurableBareRoute),
    keptBareRoute: afterBareRoute(measureKeptBareRoute),
    keptDurableBareRoute: afterBareRoute(measureKeptDurableBareRoute),
  });
} catch (error) {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await setup.cleanUp();
  progress('done');
}
