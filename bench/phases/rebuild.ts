/** Phase 5: rebuild into a fresh Redis generation, in a child process for its own peak RSS. */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteKeysWithPrefix } from '../../src/adapters/redis/connect-redis.ts';
import type { Phase } from '../harness/phase.ts';
import { track, waitForExit } from '../harness/processes.ts';
import {
  elapsed,
  profileDir,
  progress,
  quick,
  redisUrl,
  repoRoot,
  round,
  settings,
} from '../harness/settings.ts';
import type { RebuildReport } from '../rebuild-child.ts';
import { copyStoreScaled, seedEventStore } from '../seed.ts';

/** The Node flags of `npm run rebuild` (a young generation of 8 MB: V8's default took the peak RSS over 300 MB). */
export const rebuildScriptFlags = (): string[] => {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return (scripts.rebuild ?? '').split(' ').filter((word) => word.startsWith('--'));
};

export const rebuild: Phase = {
  number: 5,
  name: 'rebuild',
  stage: 'alone',
  run: async (bench) => {
    const storePath = join(bench.dirs.rebuild, 'events.sqlite');
    const source = join(bench.dirs.rebuild, 'source.sqlite');
    await seedEventStore(source, settings.shape, bench.keyring, bench.passwordHash, null);
    const seeded = copyStoreScaled(source, storePath, settings.rebuildEvents);
    progress(
      `seed: rebuild store of ${seeded.events} events (copies of the seeded events) in ${seeded.seconds.toFixed(1)} s`,
    );
    const capSeconds = Math.max(quick ? 5 : 15, settings.budgetSeconds - elapsed() - (quick ? 4 : 10));
    progress(
      `phase 5/7: rebuild of ${seeded.events} events into Redis (time cap ${capSeconds.toFixed(0)} s)`,
    );
    const child = track(
      fork(join(repoRoot, 'bench', 'rebuild-child.ts'), [], {
        stdio: 'inherit',
        execArgv: [
          ...rebuildScriptFlags(),
          ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
        ],
      }),
    );
    const report = await new Promise<RebuildReport>((resolve, reject) => {
      child.on('message', (message) => {
        const { progress: line, report } = message as { progress?: string; report?: RebuildReport };
        if (line !== undefined) progress(`  ${line}`);
        if (report !== undefined) resolve(report);
      });
      child.once('exit', (code) => reject(new Error(`the rebuild exited with ${code}`)));
      child.send({ storePath, redisUrl, prefix: bench.prefixes.rebuild, capSeconds });
    });
    await waitForExit(child, 10_000);
    const dropped = await deleteKeysWithPrefix(bench.redis, bench.prefixes.rebuild);
    progress(
      `  ${report.applied}/${report.total} events in ${report.seconds.toFixed(1)} s = ${Math.round(report.eventsPerSecond)}/s${report.capped ? ' (time cap reached)' : ''}; peak RSS ${report.peakRssMb.toFixed(0)} MB; ${report.cpuMicrosPerEvent.toFixed(1)} µs CPU/event; dropped ${dropped} keys`,
    );
    bench.raw.rebuild = report;
    return [
      {
        figure: 'rebuild throughput',
        value: round(report.eventsPerSecond),
        unit: 'events/s',
        baseline: null,
        ratio: null,
        target: '≥ 100,000 events/s',
        met: report.eventsPerSecond >= 100_000,
        note: report.capped
          ? `time-capped: ${report.applied} of ${report.total} events in ${report.seconds.toFixed(0)} s (all would take ≈${Math.round(report.total / report.eventsPerSecond)} s); ${report.cpuMicrosPerEvent.toFixed(1)} µs of CPU per event`
          : `${report.applied} events in ${report.seconds.toFixed(1)} s; the rebuild process used ${report.cpuMicrosPerEvent.toFixed(1)} µs of CPU per event`,
      },
      {
        figure: 'rebuild peak RSS',
        value: round(report.peakRssMb),
        unit: 'MB',
        baseline: round(report.startRssMb),
        ratio: round(report.peakRssMb / report.startRssMb, 2),
        target: '≤ 300 MB',
        met: report.peakRssMb <= 300,
        note: 'baseline: RSS of the rebuild process before it started',
      },
    ];
  },
};
