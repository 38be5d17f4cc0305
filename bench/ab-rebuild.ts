/**
 * A/B of the rebuild: two checkouts' `bench/rebuild-child.ts` forked in turn on one seeded store (the
 * full bench's 1,000,000 events; `--quick`: 100,000), each run into a prefix of its own that is dropped
 * after it, with the Node flags of this checkout's `npm run rebuild`. Prints each run (events/s, peak
 * RSS, CPU per event) and the medians per variant.
 *
 *   node bench/ab-rebuild.ts <checkout A> <checkout B> [runs per variant=3]
 *
 * `FLAGS_B='--max-semi-space-size=16'` gives B's process these Node flags instead (A and B may then be
 * the same checkout).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { connectRedis, deleteKeysWithPrefix } from '../src/adapters/redis/connect-redis.ts';
import { createBenchSetup } from './harness/bench.ts';
import { waitForExit } from './harness/processes.ts';
import { progress, redisUrl, settings } from './harness/settings.ts';
import { rebuildScriptFlags } from './phases/rebuild.ts';
import type { RebuildReport } from './rebuild-child.ts';
import { benchPasswordHash, copyStoreScaled, seedEventStore } from './seed.ts';

const [checkoutA, checkoutB, runsArgument] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (checkoutA === undefined || checkoutB === undefined)
  throw new Error('usage: node bench/ab-rebuild.ts <checkout A> <checkout B> [runs per variant]');
const runs = Number(runsArgument ?? 3);
const flagsB = process.env.FLAGS_B?.split(' ').filter((flag) => flag !== '');

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const redis = await connectRedis(redisUrl);
const setup = createBenchSetup(redis);
try {
  const source = join(setup.dirs.rebuild, 'source.sqlite');
  const storePath = join(setup.dirs.rebuild, 'events.sqlite');
  await seedEventStore(source, settings.shape, setup.keyring, await benchPasswordHash(), null);
  const seeded = copyStoreScaled(source, storePath, settings.rebuildEvents);
  progress(`seeded ${seeded.events} events`);
  const reports: Record<'A' | 'B', RebuildReport[]> = { A: [], B: [] };
  for (let run = 0; run < runs * 2; run += 1) {
    // A B B A A B …: neither variant always runs first on a warmer page cache.
    const variant = run % 4 === 0 || run % 4 === 3 ? 'A' : 'B';
    const checkout = variant === 'A' ? checkoutA : checkoutB;
    const prefix = `${setup.keyBase}${variant}${run}:`;
    const child = fork(join(checkout, 'bench', 'rebuild-child.ts'), [], {
      stdio: 'inherit',
      execArgv: variant === 'B' && flagsB !== undefined ? flagsB : rebuildScriptFlags(),
    });
    const report = await new Promise<RebuildReport>((resolve, reject) => {
      child.on('message', (message) => {
        const { report } = message as { report?: RebuildReport };
        if (report !== undefined) resolve(report);
      });
      child.once('exit', (code) => reject(new Error(`the rebuild of ${variant} exited with ${code}`)));
      child.send({ storePath, redisUrl, prefix, capSeconds: 600 });
    });
    await waitForExit(child, 10_000);
    await deleteKeysWithPrefix(redis, prefix);
    reports[variant].push(report);
    progress(
      `${variant}: ${Math.round(report.eventsPerSecond)} events/s, peak RSS ${report.peakRssMb.toFixed(0)} MB, ${report.cpuMicrosPerEvent.toFixed(2)} µs CPU/event`,
    );
  }
  for (const variant of ['A', 'B'] as const) {
    const of = (pick: (report: RebuildReport) => number) => median(reports[variant].map(pick));
    progress(
      `${variant} median: ${Math.round(of((r) => r.eventsPerSecond))} events/s, peak RSS ${of((r) => r.peakRssMb).toFixed(0)} MB, ${of((r) => r.cpuMicrosPerEvent).toFixed(2)} µs CPU/event`,
    );
  }
} finally {
  await setup.cleanUp();
  redis.disconnect();
}
