/**
 * What each part of the login check costs: the bare Redis GET route and the same route with one part
 * more (bench/harness/kept-parts.ts), each in a process of its own, the seeded service's own check last,
 * loaded in rounds (the order turned by one each round), 10 connections as phase 1. Prints each round
 * and, per variant, the median req/s and its ratio to the bare GET of the same round, CPU per request
 * and p99.
 *
 *   node bench/ab-kept-parts.ts [rounds=5] [seconds=3]
 *
 * `--quick` seeds the quick run's 2,000 users instead of the full 100,000.
 */
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../src/adapters/redis/redis-read-models.ts';
import { median, seedForAb } from './harness/ab.ts';
import { baselineKeys, writeBaselineValues } from './harness/bare-route.ts';
import { createBenchSetup, usersOf } from './harness/bench.ts';
import { allParts, keptParts, type Part } from './harness/kept-parts.ts';
import { cannon, cannonMeasuringCpu, okPerSecond } from './harness/load.ts';
import { forkServer } from './harness/processes.ts';
import { startServiceChild } from './harness/service.ts';
import { progress, redisUrl, repoRoot, settings, sleep } from './harness/settings.ts';

const [rounds = 5, seconds = 3] = process.argv
  .slice(2)
  .filter((argument) => !argument.startsWith('--'))
  .map(Number);

const variants: { name: string; parts: Part[] }[] = [
  { name: 'bare GET', parts: [] },
  ...keptParts.map((part) => ({ name: `+ ${part}`, parts: [part] })),
  { name: '+ every kept part', parts: [...keptParts] },
  { name: '+ service-hooks', parts: ['service-hooks'] },
  { name: '+ read-path', parts: ['read-path'] },
  { name: '+ all of them', parts: [...allParts] },
];

type Target = { name: string; pid: number; url: string; path: (id: number) => string };
type Round = { name: string; ratio: number; perSecond: number; cpuMicros: number; p99: number };

const setup = createBenchSetup(await connectRedis(redisUrl));
try {
  const seeded = await seedForAb(setup);
  const users = usersOf(settings.shape).all;
  const service = await startServiceChild({
    dataDir: setup.dirs.service,
    redis: { url: redisUrl, prefix: setup.prefixes.service },
    secretKeys: setup.secretKeys,
    platformApiKey: setup.platformApiKey,
  });
  const readModels = new RedisReadModels(setup.redis, { prefix: setup.prefixes.service });
  while ((await readModels.checkpoint()) < seeded.events) await sleep(50);
  await writeBaselineValues(setup, users[0]!);

  const targets: Target[] = [];
  for (const variant of variants) {
    const { child, reply } = await forkServer<{ port: number }>(
      join(repoRoot, 'bench', 'kept-parts-server.ts'),
      {
        redisUrl,
        prefix: setup.prefixes.baseline,
        keys: baselineKeys,
        platformApiKey: setup.platformApiKey,
        parts: variant.parts,
        readModelsPrefix: setup.prefixes.service,
        users,
      },
    );
    targets.push({
      name: variant.name,
      pid: child.pid!,
      url: `http://127.0.0.1:${reply.port}`,
      path: (id) => `/parts/${id}`,
    });
  }
  targets.push({
    name: 'the service',
    pid: service.child.pid!,
    url: service.url,
    path: (id) => `/v1/platform/users/${users[id % users.length]}/login-requirements`,
  });

  const load = (target: Target, duration: number): autocannon.Options => ({
    url: target.url,
    duration,
    headers: { 'x-api-key': setup.platformApiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: target.path(Math.floor(Math.random() * 1e9)) }),
      },
    ],
  });
  for (const target of targets) {
    const check = await cannon({ ...load(target, 1), amount: 20 });
    if (check.non2xx > 0) throw new Error(`${target.name} answered ${check.non2xx} non-2xx`);
    await cannon(load(target, settings.warmupSeconds));
  }

  const measured: Round[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const order = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
    const results = new Map<string, Omit<Round, 'ratio'>>();
    for (const target of order) {
      const { result, cpuMicrosPerRequest } = await cannonMeasuringCpu(target.pid, load(target, seconds));
      if (result.non2xx > 0) throw new Error(`${target.name} answered ${result.non2xx} non-2xx`);
      results.set(target.name, {
        name: target.name,
        perSecond: okPerSecond(result),
        cpuMicros: cpuMicrosPerRequest,
        p99: result.latency.p99,
      });
    }
    const bare = results.get('bare GET')!.perSecond;
    for (const result of results.values()) measured.push({ ...result, ratio: result.perSecond / bare });
    progress(
      `round ${round}: ${[...results.values()].map((r) => `${r.name} ${Math.round(r.perSecond)}/s`).join(', ')}`,
    );
  }
  progress(`medians over ${rounds} rounds of ${seconds} s (ratio: to the bare GET of the same round):`);
  for (const target of targets) {
    const of = measured.filter((round) => round.name === target.name);
    const mid = (pick: (round: Round) => number) => median(of.map(pick));
    progress(
      `  ${target.name.padEnd(26)} ${String(Math.round(mid((r) => r.perSecond))).padStart(6)} req/s  ratio ${mid((r) => r.ratio).toFixed(2)}  ${mid((r) => r.cpuMicros).toFixed(1)} µs CPU/request  p99 ${mid((r) => r.p99)} ms`,
    );
  }
} finally {
  await setup.cleanUp();
}
