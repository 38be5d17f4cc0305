/** Phase 1: GET login-requirements vs the bare Redis GET route. */
import type autocannon from 'autocannon';
import { cannon, cannonMeasuringCpu, describe, pick, throughputFigure } from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import { progress, round, settings } from '../harness/settings.ts';

export const loginRequirements: Phase = {
  number: 1,
  name: 'login-requirements',
  stage: 'service',
  run: async (bench) => {
    progress('phase 1/7: GET login-requirements vs baseline (bare Fastify + one Redis GET)');
    const service = bench.service!;
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
    // Baseline first, then the service, so that a noisy neighbour hurts both alike.
    const baseline = await bench.bareRoute();
    await cannon(serviceOptions(settings.warmupSeconds));
    const { result: measured, cpuMicrosPerRequest: cpuMicros } = await cannonMeasuringCpu(
      service.child.pid!,
      serviceOptions(settings.seconds),
    );
    progress(`  service:  ${describe(measured)}, ${cpuMicros.toFixed(0)} µs CPU/request`);
    bench.raw.loginRequirements = { service: measured, baseline };
    const p99Ratio = measured.latency.p99 / baseline.latency.p99;
    return [
      throughputFigure('login-requirements throughput', measured, baseline, 0.85),
      {
        figure: 'login-requirements p99 latency',
        value: measured.latency.p99,
        unit: 'ms',
        baseline: baseline.latency.p99,
        ratio: round(p99Ratio, 2),
        target: 'ratio ≤ 1.5',
        met: p99Ratio <= 1.5,
      },
      {
        figure: 'login-requirements CPU per request',
        value: round(cpuMicros),
        unit: 'µs',
        baseline: round(baseline.cpuMicrosPerRequest),
        ratio: round(cpuMicros / baseline.cpuMicrosPerRequest, 2),
        target: '—',
        met: null,
        note: 'user + system CPU of the service process per answered request during the measured run; baseline: the bare route process. Less moved by a loaded machine than throughput',
      },
    ];
  },
};
