/** Load generation (autocannon) and the statistics the phases report. */
import autocannon from 'autocannon';
import type { Figure } from './figures.ts';
import { cpuSecondsOf } from './processes.ts';
import { connections, round } from './settings.ts';

/**
 * A load run. Its latency percentiles are worked out here from each response's time in fractional
 * milliseconds: autocannon's own histogram keeps whole milliseconds, which reads every answer under
 * 1 ms as 0 and makes a p99 ratio meaningless at these speeds. A run ended by `amount` stops only at
 * autocannon's next sample tick (every `sampleInt` ms, 1,000 by default), so its duration, and every
 * rate from it, would be rounded up to whole seconds: such runs sample every 20 ms.
 */
export const cannon = async (options: autocannon.Options): Promise<autocannon.Result> => {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { connections, ...(options.amount === undefined ? {} : { sampleInt: 20 }), ...options },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, milliseconds) => times.push(milliseconds));
  });
  times.sort((a, b) => a - b);
  const at = (p: number) => round(percentile(times, p), 3);
  result.latency = { ...result.latency, p50: at(50), p90: at(90), p97_5: at(97.5), p99: at(99) };
  return result;
};

/** A load run, and the CPU time (user + system) the process `pid` spent per answered request meanwhile. */
export const cannonMeasuringCpu = async (
  pid: number,
  options: autocannon.Options,
): Promise<{ result: autocannon.Result; cpuMicrosPerRequest: number }> => {
  const before = cpuSecondsOf(pid) ?? Number.NaN;
  const result = await cannon(options);
  const spent = (cpuSecondsOf(pid) ?? Number.NaN) - before;
  return { result, cpuMicrosPerRequest: (spent * 1e6) / (result['2xx'] + result.non2xx) };
};

/** Successful responses per second over the whole run. */
export const okPerSecond = (result: autocannon.Result) => result['2xx'] / result.duration;

export const describe = (result: autocannon.Result) =>
  `${Math.round(okPerSecond(result))} ok/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms` +
  (result.non2xx + result.errors > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : '');

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * A throughput row: ok/s of `measured` against `baseline`'s, met when the ratio reaches `atLeast` and
 * no request failed. The note says how many failed unless one is given.
 */
export const throughputFigure = (
  figure: string,
  measured: autocannon.Result,
  baseline: autocannon.Result,
  atLeast: number,
  note?: string,
): Figure => {
  const ratio = okPerSecond(measured) / okPerSecond(baseline);
  const failed = measured.non2xx > 0 ? `${measured.non2xx} non-2xx` : undefined;
  const shown = note ?? failed;
  return {
    figure,
    value: round(okPerSecond(measured)),
    unit: 'req/s',
    baseline: round(okPerSecond(baseline)),
    ratio: round(ratio, ratio < 0.1 ? 3 : 2),
    target: `ratio ≥ ${atLeast}`,
    met: ratio >= atLeast && measured.non2xx === 0,
    ...(shown === undefined ? {} : { note: shown }),
  };
};
