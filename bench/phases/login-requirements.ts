/** Phase 1: GET login-requirements vs the bare Redis GET route. */
import type autocannon from 'autocannon';
import type { Bench } from '../harness/bench.ts';
import type { Figure } from '../harness/figures.ts';
import { cannon, describe, okPerSecond, pick } from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import { progress, round, settings } from '../harness/settings.ts';

export const loginRequirements: Phase = {
  number: 1,
  name: 'login-requirements',
  stage: 'service',
  run: async (bench) => {
    progress('phase 1/7: GET login-requirements vs baseline (bare Fastify + one Redis GET)');
    // Baseline first, then the service, so that a noisy neighbour hurts both alike.
    const baseline = await bench.bareRoute();
    const { figures, measured } = await measureLoginRequirements(bench, bench.service!.url, baseline, '');
    bench.raw.loginRequirements = { service: measured, baseline };
    return figures;
  },
};

/** Loads GET login-requirements of a running service and compares it with a measured bare route. */
export const measureLoginRequirements = async (
  bench: Bench,
  serviceUrl: string,
  baseline: autocannon.Result,
  /** Added to the figure names, e.g. ", PostgreSQL + Redis". */
  label: string,
): Promise<{ figures: Figure[]; measured: autocannon.Result }> => {
  const userIds = bench.users.all;
  const check = await fetch(`${serviceUrl}/v1/platform/users/${userIds[0]}/login-requirements`, {
    headers: { 'x-api-key': bench.platformApiKey },
  });
  if (!check.ok) throw new Error(`login-requirements answered ${check.status}: ${await check.text()}`);
  const serviceOptions = (duration: number): autocannon.Options => ({
    url: serviceUrl,
    duration,
    headers: { 'x-api-key': bench.platformApiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/v1/platform/users/${pick(userIds)}/login-requirements`,
        }),
      },
    ],
  });
  await cannon(serviceOptions(settings.warmupSeconds));
  const measured = await cannon(serviceOptions(settings.seconds));
  progress(`  service${label}:  ${describe(measured)}`);
  const ratio = okPerSecond(measured) / okPerSecond(baseline);
  const p99Ratio = measured.latency.p99 / baseline.latency.p99;
  const figures: Figure[] = [
    {
      figure: `login-requirements throughput${label}`,
      value: round(okPerSecond(measured)),
      unit: 'req/s',
      baseline: round(okPerSecond(baseline)),
      ratio: round(ratio, 2),
      target: 'ratio ≥ 0.85',
      met: ratio >= 0.85 && measured.non2xx === 0,
      ...(measured.non2xx > 0 ? { note: `${measured.non2xx} non-2xx` } : {}),
    },
    {
      figure: `login-requirements p99 latency${label}`,
      value: measured.latency.p99,
      unit: 'ms',
      baseline: baseline.latency.p99,
      ratio: round(p99Ratio, 2),
      target: 'ratio ≤ 1.3',
      met: p99Ratio <= 1.3,
    },
  ];
  return { figures, measured };
};
