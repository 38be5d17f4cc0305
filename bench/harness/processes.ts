/** Child processes of a run: free ports, RSS from /proc, stopping, and the set the clean-up stops. */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every child still running; the clean-up stops them. */
export const children = new Set<ChildProcess>();

export const track = (child: ChildProcess) => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};

/**
 * Forks a bench server script (tracked), sends it `start` and waits for its first message (its ports);
 * its stdout is read and dropped, as the bench reads the service's.
 */
export const forkServer = async <Reply>(
  script: string,
  start: unknown,
): Promise<{ child: ChildProcess; reply: Reply }> => {
  const child = track(fork(script, [], { stdio: ['inherit', 'pipe', 'inherit', 'ipc'] }));
  child.stdout?.resume();
  const reply = await new Promise<Reply>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Reply));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.send(start as object);
  });
  return { child, reply };
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

/** CPU time (user + system, all threads) another process has used so far, in seconds, from /proc (Linux). */
export const cpuSecondsOf = (pid: number): number | null => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, the 14th and 15th fields of the line (11th and 12th after the command name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
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
