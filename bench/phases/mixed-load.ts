/**
 * Phase 12, mixed load: the login-requirements check alone and the same check while password logins
 * keep the hashing bound (PASSWORD_HASH_CONCURRENCY) saturated, in alternating windows; and password
 * logins/s under the bound against raw argon2id verifications run that many at a time, at the same
 * thread priority, in a process of their own.
 */
import type autocannon from 'autocannon';
import { loadConfig } from '../../src/config/config.ts';
import { cannon, describe, okPerSecond, pick } from '../harness/load.ts';
import { passwordLoginLoad, rawArgon2Meter, serviceHashNiceness } from '../harness/password-load.ts';
import type { Phase } from '../harness/phase.ts';
import { progress, quick, round, settings, sleep } from '../harness/settings.ts';

/** The service's bound, as its configuration reads it from the environment the bench passes on. */
const hashBound = loadConfig({
  PASSWORD_HASH_CONCURRENCY: process.env.PASSWORD_HASH_CONCURRENCY,
}).PASSWORD_HASH_CONCURRENCY;
const checkConnections = 16;
/** More logins in flight than the bound runs, so the queue never runs dry (and stays far below its limit). */
const loginConnections = 8;
/**
 * The check alone and under logins alternate (alone first, then under logins first, …) so that a change
 * in what else the shared machine runs falls on both sides of each pair; each pair gives one ratio.
 */
const rounds = quick ? 2 : 5;
const windowSeconds = settings.seconds / rounds;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Waits until the service runs and queues no password hash (logins a window left in flight finish). */
const hashingSettled = async (url: string) => {
  for (;;) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const busy = /^second_factor_password_hash(?:_queue_length|es_running) ([1-9]\d*)/m.test(metrics);
    if (!busy) return;
    await sleep(20);
  }
};

export const mixedLoad: Phase = {
  number: 12,
  name: 'mixed-load',
  stage: 'service',
  run: async (bench) => {
    progress(
      `phase 12: mixed load (login checks beside password logins bounded to ${hashBound} at once, hashing threads at niceness ${serviceHashNiceness})`,
    );
    const service = bench.service!;
    const checks = (duration: number): autocannon.Options => ({
      url: service.url,
      duration,
      connections: checkConnections,
      headers: { 'x-api-key': bench.platformApiKey },
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({
            ...request,
            path: `/v1/platform/users/${pick(bench.users.all)}/login-requirements`,
          }),
        },
      ],
    });
    const logins = passwordLoginLoad(bench, loginConnections);
    // Raw argon2id on the cores the bound may use: `hashBound` verifications at a time, no HTTP.
    const rawArgon2 = rawArgon2Meter(bench, hashBound);

    await cannon(checks(settings.warmupSeconds));
    await rawArgon2.run(settings.argonBaselineSeconds / 2);
    await cannon(logins(settings.warmupSeconds));
    const loginsAlone = await cannon(logins(settings.seconds));
    progress(`  logins alone:       ${describe(loginsAlone)}`);
    await hashingSettled(service.url);
    await rawArgon2.run(settings.argonBaselineSeconds / 2);
    const rawPerSecond = rawArgon2.perSecond();
    progress(`  raw argon2id, ${hashBound} at a time: ${rawPerSecond.toFixed(1)}/s`);

    const alone = async () => cannon(checks(windowSeconds));
    const underLogins = async () => {
      const [loaded, beside] = await Promise.all([
        cannon(checks(windowSeconds)),
        cannon(logins(windowSeconds)),
      ]);
      await hashingSettled(service.url);
      return { loaded, beside };
    };
    const pairs: {
      idle: autocannon.Result;
      loaded: autocannon.Result;
      beside: autocannon.Result;
    }[] = [];
    for (let n = 0; n < rounds; n += 1) {
      if (n % 2 === 0) {
        const idle = await alone();
        pairs.push({ idle, ...(await underLogins()) });
      } else {
        const mixed = await underLogins();
        pairs.push({ idle: await alone(), ...mixed });
      }
      const pair = pairs.at(-1)!;
      progress(
        `  round ${n + 1}/${rounds}: check alone ${describe(pair.idle)}; under logins ${describe(pair.loaded)}; logins beside ${describe(pair.beside)}`,
      );
    }
    bench.raw.mixedLoad = {
      hashBound,
      niceness: serviceHashNiceness,
      windowSeconds,
      pairs,
      loginsAlone,
      rawArgon2PerSecond: rawPerSecond,
    };

    const throughputRatios = pairs.map((pair) => okPerSecond(pair.loaded) / okPerSecond(pair.idle));
    const p99Ratios = pairs.map((pair) => pair.loaded.latency.p99 / pair.idle.latency.p99);
    const throughputRatio = median(throughputRatios);
    const p99Ratio = median(p99Ratios);
    const loginRatio = okPerSecond(loginsAlone) / rawPerSecond;
    const checkRefused = pairs.reduce((sum, pair) => sum + pair.loaded.non2xx + pair.idle.non2xx, 0);
    const besideOk = pairs.reduce((sum, pair) => sum + pair.beside['2xx'], 0);
    const besideRefused = pairs.reduce((sum, pair) => sum + pair.beside.non2xx, 0);
    const besideP99 = median(pairs.map((pair) => pair.beside.latency.p99));
    const refused = (count: number) => (count > 0 ? `, ${count} non-2xx` : '');
    const listed = (ratios: number[]) => ratios.map((ratio) => ratio.toFixed(2)).join(', ');
    return [
      {
        figure: 'mixed: check throughput under password logins',
        value: round(median(pairs.map((pair) => okPerSecond(pair.loaded)))),
        unit: 'req/s',
        baseline: round(median(pairs.map((pair) => okPerSecond(pair.idle)))),
        ratio: round(throughputRatio, 2),
        target: 'ratio ≥ 0.5 (baseline: the check alone)',
        met: throughputRatio >= 0.5 && checkRefused === 0,
        note: `median of ${rounds} alternating ${windowSeconds} s pairs (${listed(throughputRatios)}); ${checkConnections} connections beside ${loginConnections} logging in (${round(besideOk / (rounds * windowSeconds), 1)} logins/s, p99 ${besideP99} ms${refused(besideRefused)})${refused(checkRefused)}`,
      },
      {
        figure: 'mixed: check p99 under password logins',
        value: median(pairs.map((pair) => pair.loaded.latency.p99)),
        unit: 'ms',
        baseline: median(pairs.map((pair) => pair.idle.latency.p99)),
        ratio: round(p99Ratio, 2),
        target: 'ratio ≤ 3 (baseline: the check alone)',
        met: p99Ratio <= 3,
        note: `median of the pairs' ratios (${listed(p99Ratios)})`,
      },
      {
        figure: `mixed: password logins under the bound (${hashBound} at once)`,
        value: round(okPerSecond(loginsAlone), 1),
        unit: 'logins/s',
        baseline: round(rawPerSecond, 1),
        ratio: round(loginRatio, 2),
        target: 'ratio ≥ 0.9 (baseline: raw argon2id, as many at once)',
        met: loginRatio >= 0.9 && loginsAlone.non2xx === 0,
        note: `${loginConnections} connections, p99 ${loginsAlone.latency.p99} ms${refused(loginsAlone.non2xx)}; raw argon2id in a process of its own, its threads at niceness ${serviceHashNiceness} as the service's`,
      },
    ];
  },
};
