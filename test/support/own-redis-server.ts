import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from './service-process.ts';

export const redisServerInstalled = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

/** A redis-server of the test's own, which it can kill and start again on the same port (empty). */
export const ownRedisServer = async () => {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (
        spawnSync('redis-cli', ['-p', String(port), 'ping'])
          .stdout?.toString()
          .includes('PONG')
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const kill = async () => {
    const running = child;
    if (running === null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, kill, start };
};
