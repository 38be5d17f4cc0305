/**
 * Phase 11, mixed load: the login-requirements check alone, then the same check while password logins
 * keep the hashing bound (PASSWORD_HASH_CONCURRENCY) saturated; and password logins/s under the bound
 * against raw argon2id verifications run that many at a time in this process.
 */
import type autocannon from 'autocannon';
import { loadConfig } from '../../src/config/config.ts';
import { cannon, describe, okPerSecond, pick } from '../harness/load.ts';
import { passwordLoginLoad, rawArgon2Meter } from '../harness/password-load.ts';
import type { Phase } from '../harness/phase.ts';
import { progress, round, settings } from '../harness/settings.ts';

/** The service's bound, as its configuration reads it from the environment the bench passes on. */
const hashBound = loadConfig({
  PASSWORD_HASH_CONCURRENCY: process.env.PASSWORD_HASH_CONCURRENCY,
}).PASSWORD_HASH_CONCURRENCY;
const checkConnections = 16;
/** More logins in flight than the bound runs, so the queue never runs dry (and stays far below its limit). */
const loginConnections = 8;

export const mixedLoad: Phase = {
  number: 12,
  name: 'mixed-load',
  stage: 'service',
  run: async (bench) => {
    progress(`phase 12: mixed load (login checks beside password logins bounded to ${hashBound} at once)`);
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
    const idle = await cannon(checks(settings.seconds));
    progress(`  check alone:        ${describe(idle)}`);
    await rawArgon2.run(settings.argonBaselineSeconds / 2);
    await cannon(logins(settings.warmupSeconds));
    const loginsAlone = await cannon(logins(settings.seconds));
    progress(`  logins alone:       ${describe(loginsAlone)}`);
    await rawArgon2.run(settings.argonBaselineSeconds / 2);
    const rawPerSecond = rawArgon2.perSecond();
    progress(`  raw argon2id, ${hashBound} at a time: ${rawPerSecond.toFixed(1)}/s`);
    const [loaded, loginsBeside] = await Promise.all([
      cannon(checks(settings.seconds)),
      cannon(logins(settings.seconds)),
    ]);
    progress(`  check under logins: ${describe(loaded)}`);
    progress(`  logins beside:      ${describe(loginsBeside)}`);
    bench.raw.mixedLoad = {
      hashBound,
      idle,
      loginsAlone,
      rawArgon2PerSecond: rawPerSecond,
      loaded,
      loginsBeside,
    };

    const throughputRatio = okPerSecond(loaded) / okPerSecond(idle);
    const p99Ratio = loaded.latency.p99 / idle.latency.p99;
    const loginRatio = okPerSecond(loginsAlone) / rawPerSecond;
    const refused = (result: autocannon.Result) => (result.non2xx > 0 ? `, ${result.non2xx} non-2xx` : '');
    return [
      {
        figure: 'mixed: check throughput under password logins',
        value: round(okPerSecond(loaded)),
        unit: 'req/s',
        baseline: round(okPerSecond(idle)),
        ratio: round(throughputRatio, 2),
        target: 'ratio ≥ 0.5 (baseline: the check alone)',
        met: throughputRatio >= 0.5 && loaded.non2xx === 0,
        note: `${checkConnections} connections beside ${loginConnections} logging in (${round(okPerSecond(loginsBeside), 1)} logins/s, p99 ${loginsBeside.latency.p99} ms${refused(loginsBeside)})${refused(loaded)}`,
      },
      {
        figure: 'mixed: check p99 under password logins',
        value: loaded.latency.p99,
        unit: 'ms',
        baseline: idle.latency.p99,
        ratio: round(p99Ratio, 2),
        target: 'ratio ≤ 3 (baseline: the check alone)',
        met: p99Ratio <= 3,
      },
      {
        figure: `mixed: password logins under the bound (${hashBound} at once)`,
        value: round(okPerSecond(loginsAlone), 1),
        unit: 'logins/s',
        baseline: round(rawPerSecond, 1),
        ratio: round(loginRatio, 2),
        target: 'ratio ≥ 0.9 (baseline: raw argon2id, as many at once)',
        met: loginRatio >= 0.9 && loginsAlone.non2xx === 0,
        note: `${loginConnections} connections, p99 ${loginsAlone.latency.p99} ms${refused(loginsAlone)}`,
      },
    ];
  },
};
