import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

export type ServiceProcess = {
  url: string;
  child: ChildProcess;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

/**
 * `node src/main.ts` in a child process with its own port, ready once /readyz answers 200 (or, with
 * `until: 'listening'`, once it answers HTTP at all, ready or not).
 */
export const startServiceProcess = async (
  env: Record<string, string>,
  { until = 'ready' }: { until?: 'ready' | 'listening' } = {},
): Promise<ServiceProcess> => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../src/main.ts')], {
    // The store is the test's choice, not whatever the environment (CI) names for the contract suites.
    env: {
      ...process.env,
      EVENTSTORE_URL: '',
      DATABASE_URL: '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`service on ${port} exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (reply) => reply.status === 200 || until === 'listening',
      () => false,
    );
    if (ready) break;
    if (attempt > 300) throw new Error(`service on ${port} did not get ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
};
