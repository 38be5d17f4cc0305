/** What the A/B scripts share: CPU per thread, and rounds of two variants loaded in turn (A B, B A, …). */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { benchPasswordHash, seedEventStore } from '../seed.ts';
import type { BenchSetup } from './bench.ts';
import { cannonMeasuringCpu, okPerSecond } from './load.ts';
import { progress, settings } from './settings.ts';

/** User + system CPU time in clock ticks per thread name of a process. */
export const threadTicks = (pid: number): Map<string, number> => {
  const ticks = new Map<string, number>();
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(name, (ticks.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
};

export const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Variant = 'A' | 'B';
type Round = { variant: Variant; perSecond: number; p99: number; cpuMicros: number };

/**
 * Loads A and B in alternating rounds (`optionsFor` gives each round's load) and prints each round (req/s,
 * p99, CPU per request and per thread), each variant's medians and the median of the rounds' B/A ratios.
 */
export const alternateRounds = async (
  rounds: number,
  children: Record<Variant, ChildProcess>,
  optionsFor: (variant: Variant) => autocannon.Options | Promise<autocannon.Options>,
): Promise<void> => {
  const measured: Round[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const pid = children[variant].pid!;
      const options = await optionsFor(variant);
      const before = threadTicks(pid);
      const { result, cpuMicrosPerRequest } = await cannonMeasuringCpu(pid, options);
      const answered = result['2xx'] + result.non2xx;
      const perThread = [...threadTicks(pid)]
        .map(
          ([name, ticks]) => `${name} ${Math.round(((ticks - (before.get(name) ?? 0)) * 10_000) / answered)}`,
        )
        .join(', ');
      measured.push({
        variant,
        perSecond: okPerSecond(result),
        p99: result.latency.p99,
        cpuMicros: cpuMicrosPerRequest,
      });
      const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      progress(
        `round ${round} ${variant}: ${Math.round(okPerSecond(result))} req/s, p99 ${result.latency.p99} ms, ${cpuMicrosPerRequest.toFixed(0)} µs CPU/request (µs per thread: ${perThread}), ${result.non2xx} non-2xx, load ${loadAverage}`,
      );
    }
  }
  const of = (variant: Variant) => measured.filter((round) => round.variant === variant);
  for (const variant of ['A', 'B'] as const)
    progress(
      `${variant}: median ${Math.round(median(of(variant).map((r) => r.perSecond)))} req/s, p99 ${median(of(variant).map((r) => r.p99))} ms, ${median(of(variant).map((r) => r.cpuMicros)).toFixed(0)} µs CPU/request`,
    );
  const throughput = of('A').map((a, round) => of('B')[round]!.perSecond / a.perSecond);
  const cpu = of('A').map((a, round) => of('B')[round]!.cpuMicros / a.cpuMicros);
  progress(
    `B/A req/s: median ${median(throughput).toFixed(2)} (${throughput.map((x) => x.toFixed(2)).join(', ')}); CPU/request: median ${median(cpu).toFixed(2)} (${cpu.map((x) => x.toFixed(2)).join(', ')})`,
  );
};

/** `<checkout A> <checkout B> [rounds=6] [seconds=3]` from the command line, or the usage as an error. */
export const abArguments = (script: string) => {
  const [checkoutA, checkoutB, rounds, seconds] = process.argv
    .slice(2)
    .filter((argument) => !argument.startsWith('--'));
  if (checkoutA === undefined || checkoutB === undefined)
    throw new Error(`usage: node ${script} <checkout A> <checkout B> [rounds] [seconds]`);
  return { checkoutA, checkoutB, rounds: Number(rounds ?? 6), seconds: Number(seconds ?? 3) };
};

/** The bench's store and data keys seeded into `setup.dirs.service`, at this run's size. */
export const seedForAb = async (setup: BenchSetup) =>
  seedEventStore(
    join(setup.dirs.service, 'events.sqlite'),
    settings.shape,
    setup.keyring,
    await benchPasswordHash(),
    join(setup.dirs.service, 'data-keys.sqlite'),
  );
