/** Load generation (autocannon) and the statistics the phases report. */
import autocannon from 'autocannon';
import { connections } from './settings.ts';

export const cannon = (options: autocannon.Options): Promise<autocannon.Result> =>
  autocannon({ connections, ...options });

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
