/** Child processes of a run: free ports, RSS from /proc, stopping, and the set the clean-up stops. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every child still running; the clean-up stops them. */
export const children = new Set<ChildProcess>();

export const track = (child: ChildProcess) => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Resident set size of another process, from /proc (Linux). */
export const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
};

export const waitForExit = (child: ChildProcess, ms: number) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Stops a fork()ed child by disconnecting its IPC channel (it closes itself), else by SIGTERM. */
export const stopChild = async (child: ChildProcess) => {
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  await waitForExit(child, 5_000);
};

export const stopAllChildren = async () => {
  for (const child of children) {
    child.kill('SIGTERM');
    await waitForExit(child, 5_000);
  }
};
