/** Phase 2: POST /v1/login/second-factor, each request a fresh challenge of a different enrolled user. */
import type autocannon from 'autocannon';
import { generateSync } from 'otplib';
import { RandomTokens } from '../../src/adapters/crypto/random-tokens.ts';
import { RedisSessionStore } from '../../src/adapters/redis/redis-session-store.ts';
import type { BareRouteResult } from '../harness/bare-route.ts';
import type { Bench } from '../harness/bench.ts';
import type { Figure } from '../harness/figures.ts';
import { cannonMeasuringCpu, describe, okPerSecond, throughputFigure } from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import type { Service } from '../harness/service.ts';
import { connections, progress, quick, settings } from '../harness/settings.ts';
import { benchPassword } from '../seed.ts';

export const secondFactor: Phase = {
  number: 2,
  name: 'second-factor',
  stage: 'service',
  run: async (bench) => {
    progress('phase 2/7: POST /v1/login/second-factor with fresh codes vs baseline');
    const baseline = await bench.bareRoute();
    const durable = await bench.durableBareRoute();
    const keptDurable = await bench.keptDurableBareRoute();
    const { figure, measured, warmup } = await measureCodeStep(
      bench,
      bench.service!,
      bench.prefixes.service,
      baseline,
      '',
    );
    bench.raw.secondFactor = {
      service: measured,
      warmup,
      durableBaseline: durable,
      keptDurableBaseline: keptDurable,
    };
    return [
      figure,
      leastFigure(
        'second-factor ÷ bare durable route',
        measured,
        durable,
        baseline,
        'a bare route doing a Redis GET, one SQLite row committed with synchronous = FULL (group commit) and a Redis SET',
      ),
      leastFigure(
        'second-factor ÷ bare durable route with the kept behaviours',
        measured,
        keptDurable,
        baseline,
        "the bare durable route with the service's security headers, request line at info and request metric",
      ),
    ];
  },
};

/** A ratio without a target: the step against one of the least routes, and that route against the bare GET. */
const leastFigure = (
  name: string,
  measured: autocannon.Result,
  least: BareRouteResult,
  bare: BareRouteResult,
  what: string,
): Figure => ({
  ...throughputFigure(name, measured, least, 0),
  target: '—',
  met: null,
  note: `how near the least a code step must do: ${what} (${Math.round(okPerSecond(least))} ok/s, ${(okPerSecond(least) / okPerSecond(bare)).toFixed(2)}× of the bare GET; ${Math.round(least.cpuMicrosPerRequest)} µs CPU/request)`,
});

export type PreparedStep = { challenge: string; code: string };

/** autocannon's options for one request per prepared challenge, each with its code, in order. */
export const codeStepLoad = (url: string, prepared: PreparedStep[]): autocannon.Options => {
  let next = 0;
  return {
    url,
    amount: prepared.length,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/v1/login/second-factor',
        setupRequest: (request) => {
          // Past the end (should not happen: `amount` is the pool size) the challenge is reused and fails.
          const item = prepared[next % prepared.length]!;
          next += 1;
          return { ...request, body: JSON.stringify({ challenge: item.challenge, code: item.code }) };
        },
      },
    ],
  };
};

/**
 * The code step's load on a running service whose sessions live under `sessionPrefix`: one login end
 * to end first, then a warm-up and the measured run, every request a fresh challenge of an enrolled
 * user (the seeded users in random order; a service on a copy of the store may reuse phase 2's users:
 * their last accepted step is minutes old by then).
 */
export const measureCodeStep = async (
  bench: Bench,
  service: Pick<Service, 'url' | 'child'>,
  sessionPrefix: string,
  baseline: BareRouteResult,
  /** Added to the figure's name, e.g. ", PostgreSQL + Redis". */
  label: string,
): Promise<{ figure: Figure; measured: autocannon.Result; warmup: autocannon.Result }> => {
  const sessions = new RedisSessionStore(bench.redis, sessionPrefix, new RandomTokens());
  const pool = [...bench.users.enrolled].sort(() => Math.random() - 0.5);
  // One end-to-end login through HTTP first: the password step's challenge, then the code.
  const first = pool.pop()!;
  const [o, u] = first.userId.slice(2).split('-');
  const login = await fetch(`${service.url}/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `user${o}.${u}`, password: benchPassword }),
  });
  const loginBody = (await login.json()) as { status: string; challenge: string };
  if (loginBody.status !== 'second-factor-required')
    throw new Error(`expected a second-factor challenge, got ${JSON.stringify(loginBody)}`);
  const finish = await fetch(`${service.url}/v1/login/second-factor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challenge: loginBody.challenge, code: generateSync({ secret: first.secret }) }),
  });
  if (!finish.ok) throw new Error(`second-factor answered ${finish.status}: ${await finish.text()}`);

  // Challenges for the measured requests are made with the service's own session store (the same
  // Redis SET the password step does): getting 10,000+ of them through argon2 would take minutes.
  const prepare = async (count: number) => {
    const started = performance.now();
    const prepared: PreparedStep[] = [];
    const take = pool.splice(0, count);
    for (let i = 0; i < take.length; i += 1_000) {
      prepared.push(
        ...(await Promise.all(
          take.slice(i, i + 1_000).map(async ({ userId, secret }) => ({
            code: generateSync({ secret }),
            challenge: await sessions.createChallenge(
              { userId, kind: 'second-factor', createdAt: new Date().toISOString() },
              600,
            ),
          })),
        )),
      );
    }
    progress(
      `  prepared ${prepared.length} challenges in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return prepared;
  };
  // Codes are made with the challenges, not while loading: the load generator shares the cores. The
  // service accepts the step before too (TOTP_WINDOW=1), so a code made before a step's end still fits.
  const run = (prepared: PreparedStep[]) =>
    cannonMeasuringCpu(service.child.pid!, codeStepLoad(service.url, prepared));
  // The code step's many parts take a few thousand requests to be compiled: a running service is warm.
  const warmupCount = Math.min(quick ? 60 : 2_000, Math.floor(pool.length / 4));
  const { result: warmup } = await run(await prepare(warmupCount));
  const warmupRate = okPerSecond(warmup);
  progress(`  warm-up: ${describe(warmup)}`);
  // `amount` ends the run: enough for the measuring time at 1.5× the warm-up's rate (users permitting).
  const wanted = Math.max(connections * 20, Math.ceil(warmupRate * settings.seconds * 1.5));
  const { result: measured, cpuMicrosPerRequest } = await run(await prepare(Math.min(wanted, pool.length)));
  progress(`  service${label}:  ${describe(measured)}, ${cpuMicrosPerRequest.toFixed(0)} µs CPU/request`);
  return {
    figure: throughputFigure(
      `second-factor (fresh code) throughput${label}`,
      measured,
      baseline,
      0.35,
      `p99 ${measured.latency.p99} ms; ${measured['2xx']} ok, ${measured.non2xx} non-2xx in ${measured.duration.toFixed(1)} s; ${Math.round(cpuMicrosPerRequest)} µs service CPU/request`,
    ),
    measured,
    warmup,
  };
};
