/**
 * A/B of the login-requirements check: two builds (checkouts with their own built `dist/`, e.g. an
 * older commit copied aside and this one) started side by side on one seeded store, each with its own
 * Redis prefix, loaded in alternating rounds. Prints each round (req/s, p99, CPU per request, CPU per
 * thread) and the median of the rounds' B/A ratios.
 *
 *   node bench/ab-login-requirements.ts <checkout A> <checkout B> [rounds=6] [seconds=3]
 *
 * `ENV_B='{"LOG_LEVEL":"warn"}'` starts B with more settings (A and B may then be the same checkout).
 * `--quick` seeds the quick run's 2,000 users instead of the full 100,000.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../src/adapters/redis/redis-read-models.ts';
import { createBenchSetup, usersOf } from './harness/bench.ts';
import { cannon, cannonMeasuringCpu, okPerSecond, pick } from './harness/load.ts';
import { type Service, startServiceChild } from './harness/service.ts';
import { progress, redisUrl, settings, sleep } from './harness/settings.ts';
import { benchPasswordHash, seedEventStore } from './seed.ts';

const [checkoutA, checkoutB, roundsArgument, secondsArgument] = process.argv
  .slice(2)
  .filter((argument) => !argument.startsWith('--'));
if (checkoutA === undefined || checkoutB === undefined)
  throw new Error('usage: node bench/ab-login-requirements.ts <checkout A> <checkout B> [rounds] [seconds]');
const rounds = Number(roundsArgument ?? 6);
const seconds = Number(secondsArgument ?? 3);

/** User + system CPU time in clock ticks per thread name of a process. */
const threadTicks = (pid: number): Map<string, number> => {
  const ticks = new Map<string, number>();
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${thread}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks.set(name, (ticks.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
};

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Round = { variant: 'A' | 'B'; perSecond: number; p99: number; cpuMicros: number };

const setup = createBenchSetup(await connectRedis(redisUrl));
try {
  const seeded = await seedEventStore(
    join(setup.dirs.service, 'events.sqlite'),
    settings.shape,
    setup.keyring,
    await benchPasswordHash(),
    join(setup.dirs.service, 'data-keys.sqlite'),
  );
  const users = usersOf(settings.shape).all;
  const start = async (cwd: string, tag: string, env: Record<string, string>): Promise<Service> => {
    const prefix = `${setup.keyBase}${tag}:`;
    const service = await startServiceChild({
      dataDir: setup.dirs.service,
      redis: { url: redisUrl, prefix },
      secretKeys: setup.secretKeys,
      platformApiKey: setup.platformApiKey,
      cwd,
      env,
    });
    const readModels = new RedisReadModels(setup.redis, { prefix });
    while ((await readModels.checkpoint()) < seeded.events) await sleep(50);
    return service;
  };
  const variants = {
    A: await start(checkoutA, 'a', {}),
    B: await start(checkoutB, 'b', JSON.parse(process.env.ENV_B ?? '{}') as Record<string, string>),
  };
  const load = (url: string, duration: number): autocannon.Options => ({
    url,
    duration,
    headers: { 'x-api-key': setup.platformApiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/v1/platform/users/${pick(users)}/login-requirements`,
        }),
      },
    ],
  });
  for (const service of Object.values(variants)) await cannon(load(service.url, settings.warmupSeconds));
  const measured: Round[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      const { child, url } = variants[variant];
      const before = threadTicks(child.pid!);
      const { result, cpuMicrosPerRequest } = await cannonMeasuringCpu(child.pid!, load(url, seconds));
      const answered = result['2xx'] + result.non2xx;
      const perThread = [...threadTicks(child.pid!)]
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
  const of = (variant: 'A' | 'B') => measured.filter((round) => round.variant === variant);
  for (const variant of ['A', 'B'] as const)
    progress(
      `${variant}: median ${Math.round(median(of(variant).map((r) => r.perSecond)))} req/s, p99 ${median(of(variant).map((r) => r.p99))} ms, ${median(of(variant).map((r) => r.cpuMicros)).toFixed(0)} µs CPU/request`,
    );
  const throughput = of('A').map((a, round) => of('B')[round]!.perSecond / a.perSecond);
  const cpu = of('A').map((a, round) => of('B')[round]!.cpuMicros / a.cpuMicros);
  progress(
    `B/A req/s: median ${median(throughput).toFixed(2)} (${throughput.map((x) => x.toFixed(2)).join(', ')}); CPU/request: median ${median(cpu).toFixed(2)} (${cpu.map((x) => x.toFixed(2)).join(', ')})`,
  );
} finally {
  await setup.cleanUp();
}
