/** The service under test, started as its own process from the production bundle. */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { freePort, track } from './processes.ts';
import { profileDir, repoRoot, sleep } from './settings.ts';

export type Service = { child: ChildProcess; url: string; logs: string[]; logBytes: { count: number } };

export type ServiceStart = {
  dataDir: string;
  /** Redis URL and key prefix for Redis read models; null for the embedded default (SQLite + memory). */
  redis: { url: string; prefix: string } | null;
  secretKeys: string;
  platformApiKey: string;
  /** More settings, e.g. DATABASE_URL for the PostgreSQL store. */
  env?: Record<string, string>;
};

export const startServiceChild = async (start: ServiceStart): Promise<Service> => {
  const port = await freePort();
  // The same flags as `npm start` and the Docker image, plus a CPU profile when BENCH_PROFILE_DIR is set.
  const nodeArgs = [
    '--optimize-for-size',
    ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
  ];
  // The production entry point: the bundle `npm start` builds and runs.
  execSync('npm run -s build', { cwd: repoRoot, stdio: 'inherit' });
  const child = track(
    spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: start.dataDir,
        ...(start.redis !== null
          ? { REDIS_URL: start.redis.url, REDIS_KEY_PREFIX: start.redis.prefix }
          : { REDIS_URL: '' }),
        LOG_LEVEL: 'warn',
        SECRET_KEYS: start.secretKeys,
        PLATFORM_API_KEY: start.platformApiKey,
        LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
        ...start.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const logs: string[] = [];
  const logBytes = { count: 0 };
  const keep = (chunk: Buffer) => {
    logBytes.count += chunk.length;
    logs.push(chunk.toString());
    if (logs.length > 50) logs.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited:\n${logs.join('')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the service did not start:\n${logs.join('')}`);
    await sleep(100);
  }
  return { child, url, logs, logBytes };
};
