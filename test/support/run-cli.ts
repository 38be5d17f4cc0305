import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs bin/second-factor.js on a data directory, as an operator would, and waits for it. */
export const runCli = (
  dataDir: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
) =>
  spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/second-factor.js'), ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', REDIS_URL: '', ...options.env },
  });
