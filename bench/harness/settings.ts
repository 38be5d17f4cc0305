/** What a run measures and with what sizes: `--quick` for a one-minute run, `--only=<phase,…>` for some phases. */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedShape } from '../seed.ts';

export const quick = process.argv.includes('--quick');

/** `--only=login-requirements,rebuild` runs just those phases (names as in bench/phases/index.ts). */
export const onlyPhases: readonly string[] | null = (() => {
  const flag = process.argv.find((argument) => argument.startsWith('--only='));
  return flag === undefined ? null : flag.slice('--only='.length).split(',').filter(Boolean);
})();

export const settings = quick
  ? {
      shape: { offices: 20, usersPerOffice: 100 } satisfies SeedShape,
      rebuildEvents: 100_000,
      seconds: 2,
      warmupSeconds: 0.5,
      lagSeconds: 2,
      appendSeconds: 1,
      argonBaselineSeconds: 1,
      budgetSeconds: 58,
    }
  : {
      shape: { offices: 1_000, usersPerOffice: 100 } satisfies SeedShape,
      rebuildEvents: 1_000_000,
      seconds: 10,
      warmupSeconds: 2,
      lagSeconds: 5,
      appendSeconds: 3,
      argonBaselineSeconds: 3,
      budgetSeconds: 290,
    };
export type Settings = typeof settings;

export const lagRatePerSecond = 1_000;
export const connections = 10;
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const redisUrl =
  process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== ''
    ? process.env.REDIS_URL
    : 'redis://127.0.0.1:6379';
export const cores = availableParallelism();
/** BENCH_PROFILE_DIR=dir writes V8 CPU profiles of the service and rebuild processes there. */
export const profileDir = process.env.BENCH_PROFILE_DIR;

const runStarted = performance.now();
export const elapsed = () => (performance.now() - runStarted) / 1000;
export const progress = (message: string) =>
  process.stdout.write(`[bench ${elapsed().toFixed(1).padStart(5)}s] ${message}\n`);
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const round = (value: number, digits = 0) => Number(value.toFixed(digits));
export const mb = (bytes: number) => bytes / 2 ** 20;
