/** The service under test, started as its own process from the production bundle. */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { freePort, track } from './processes.ts';
import { profileDir, repoRoot, sleep } from './settings.ts';
import { startCommand } from './start-command.ts';

export type Service = {
  child: ChildProcess;
  url: string;
  logs: string[];
  logBytes: { count: number };
  /** performance.now() when the process was spawned (after the build). */
  spawnedAt: number;
};

export type ServiceStart = {
  dataDir: string;
  /** Redis URL and key prefix for Redis read models; null for the embedded default (SQLite + memory). */
  redis: { url: string; prefix: string } | null;
  secretKeys: string;
  platformApiKey: string;
  /** More settings, e.g. DATABASE_URL for the PostgreSQL store. */
  env?: Record<string, string>;
  /** Another checkout with its own built `dist/` (A/B runs against an older build); not rebuilt. */
  cwd?: string;
};

export const startServiceChild = async (start: ServiceStart): Promise<Service> => {
  const port = await freePort();
  // The production entry point, the bundle `npm start` builds, started as `npm start` starts it.
  if (start.cwd === undefined) execSync('npm run -s build', { cwd: repoRoot, stdio: 'inherit' });
  const asNpmStarts = startCommand();
  const nodeArgs = [
    ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
    ...asNpmStarts.args,
  ];
  const { LOG_LEVEL: _asUsersStartIt, ...environment } = process.env;
  const spawnedAt = performance.now();
  const child = track(
    spawn(process.execPath, nodeArgs, {
      cwd: start.cwd ?? repoRoot,
      env: {
        ...environment,
        ...asNpmStarts.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: start.dataDir,
        ...(start.redis !== null
          ? { REDIS_URL: start.redis.url, REDIS_KEY_PREFIX: start.redis.prefix }
          : { REDIS_URL: '' }),
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
    await sleep(20);
  }
  return { child, url, logs, logBytes, spawnedAt };
};
