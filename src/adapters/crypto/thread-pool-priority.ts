import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

const threadsDir = '/proc/self/task';

/**
 * Lowers the CPU priority (raises the niceness) of libuv's thread-pool threads, where argon2id runs, so
 * that when hashes and the event loop want the same core, the event loop serving every other request
 * gets it first. Linux only (threads are tasks there, each with its own niceness); elsewhere, or before
 * the pool has started, it changes nothing. Returns how many threads it lowered.
 */
export const lowerThreadPoolPriority = (niceness: number): number => {
  if (process.platform !== 'linux' || niceness <= 0) return 0;
  let lowered = 0;
  for (const task of readdirSync(threadsDir)) {
    const tid = Number(task);
    try {
      if (readFileSync(`${threadsDir}/${task}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      // Never raise a priority someone lowered further (an unprivileged process could not undo it).
      if (getPriority(tid) < niceness) setPriority(tid, niceness);
      lowered += 1;
    } catch {
      // The thread ended while we looked: nothing to lower.
    }
  }
  return lowered;
};
