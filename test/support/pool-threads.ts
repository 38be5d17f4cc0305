import { readdirSync, readFileSync } from 'node:fs';

/** This process's libuv pool threads, read from /proc on its own (not through the code under test). */
export const poolThreads = (): number[] =>
  readdirSync('/proc/self/task')
    .filter((task) => readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === 'libuv-worker')
    .map(Number);

/** Thread priorities are set through /proc, so these tests run on Linux only (and say so elsewhere). */
export const linux = process.platform === 'linux';
if (!linux)
  console.log(`skipped: thread priorities are set through /proc on Linux only (${process.platform})`);
