/** Phase 1: GET login-requirements vs the bare Redis GET route. */
import type autocannon from 'autocannon';
import type { BareRouteResult } from '../harness/bare-route.ts';
import type { Bench } from '../harness/bench.ts';
import type { Figure } from '../harness/figures.ts';
import {
  cannon,
  cannonMeasuringCpu,
  describe,
  okPerSecond,
  pick,
  throughputFigure,
} from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import type { Service } from '../harness/service.ts';
import { progress, round, settings } from '../harness/settings.ts';

export const loginRequirements: Phase = {
  number: 1,
  name: 'login-requirements',
  stage: 'service',
  run: async (bench) => {
    progress('phase 1/7: GET login-requirements vs baseline (bare Fastify + one Redis GET)');
    // Baseline first, then the service, so that a noisy neighbour hurts both alike.
    const baseline = await bench.bareRoute();
    const kept = await bench.keptBareRoute();
    const { figures, measured } = await measureLoginRequirements(bench, bench.service!, baseline, '');
    bench.raw.loginRequirements = { service: measured, baseline, keptBaseline: kept };
    const p99Ratio = measured.latency.p99 / kept.latency.p99;
    return [
      ...figures,
      {
        ...throughputFigure('login-requirements ÷ bare route with the kept behaviours', measured, kept, 0),
        target: '—',
        met: null,
        note: `how near the least the check must keep: the bare GET with the service's platform key hook, security headers, request line at info and request metric (${Math.round(okPerSecond(kept))} ok/s, ${(okPerSecond(kept) / okPerSecond(baseline)).toFixed(2)}× of the bare GET; p99 ${kept.latency.p99} ms, the service's ${p99Ratio.toFixed(2)}× of it; ${Math.round(kept.cpuMicrosPerRequest)} µs CPU/request)`,
      },
    ];
  },
};

/** Loads GET login-requirements of a running service and compares it with a measured bare route. */
export const measureLoginRequirements = async (
  bench: Bench,
  service: Pick<Service, 'url' | 'child'>,
  baseline: BareRouteResult,
  /** Added to the figure names, e.g. ", PostgreSQL + Redis". */
  label: string,
): Promise<{ figures: Figure[]; measured: autocannon.Result }> => {
  const userIds = bench.users.all;
  const check = await fetch(`${service.url}/v1/platform/users/${userIds[0]}/login-requirements`, {
    headers: { 'x-api-key': bench.platformApiKey },
  });
  if (!check.ok) throw new Error(`login-requirements answered ${check.status}: ${await check.text()}`);
  const serviceOptions = (duration: number): autocannon.Options => ({
    url: service.url,
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
  const { result: measured, cpuMicrosPerRequest: cpuMicros } = await cannonMeasuringCpu(
    service.child.pid!,
    serviceOptions(settings.seconds),
  );
  progress(`  service${label}:  ${describe(measured)}, ${cpuMicros.toFixed(0)} µs CPU/request`);
  const p99Ratio = measured.latency.p99 / baseline.latency.p99;
  const figures: Figure[] = [
    throughputFigure(`login-requirements throughput${label}`, measured, baseline, 0.85),
    {
      figure: `login-requirements p99 latency${label}`,
      value: measured.latency.p99,
      unit: 'ms',
      baseline: baseline.latency.p99,
      ratio: round(p99Ratio, 2),
      target: 'ratio ≤ 1.5',
      met: p99Ratio <= 1.5,
    },
    {
      figure: `login-requirements CPU per request${label}`,
      value: round(cpuMicros),
      unit: 'µs',
      baseline: round(baseline.cpuMicrosPerRequest),
      ratio: round(cpuMicros / baseline.cpuMicrosPerRequest, 2),
      target: '—',
      met: null,
      note: 'user + system CPU of the service process per answered request during the measured run; baseline: the bare route process. Less moved by a loaded machine than throughput',
    },
  ];
  return { figures, measured };
};
