/**
 * Phase 8 (restart): the embedded default restarted on read models it built before
 * (`read-models.sqlite`): process start until the first password login answers, and the idle RSS
 * after it, with the start command and log level of `npm start`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Phase } from '../harness/phase.ts';
import { freePort, rssOf, track, waitForExit } from '../harness/processes.ts';
import { mb, progress, repoRoot, round, settings, sleep } from '../harness/settings.ts';
import { startCommand, startCommandLine } from '../harness/start-command.ts';
import { benchPassword, userIdOf, usernameOf } from '../seed.ts';

/** Repeats `attempt` until it answers something other than null (not listening yet, or 503). */
const until = async <T>(attempt: () => Promise<T | null>, limitMs: number): Promise<T> => {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const answer = await attempt().catch(() => null);
    if (answer !== null) return answer;
    if (performance.now() > deadline) throw new Error(`the embedded service gave no answer in ${limitMs} ms`);
    await sleep(5);
  }
};

/** The bundle embedded on `dataDir`, started as `npm start` starts it (its flags, the default log level). */
const startBundle = async (dataDir: string, secretKeys: string, platformApiKey: string) => {
  const port = await freePort();
  const asNpmStarts = startCommand();
  const child = track(
    spawn(process.execPath, asNpmStarts.args, {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...asNpmStarts.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        REDIS_URL: '',
        SECRET_KEYS: secretKeys,
        PLATFORM_API_KEY: platformApiKey,
      },
      stdio: 'ignore',
    }),
  );
  return { child, url: `http://127.0.0.1:${port}` };
};

/** Baseline: the same bundle on an empty DATA_DIR, process start until /healthz answers. */
const emptyStartSeconds = async (secretKeys: string, platformApiKey: string): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), 'second-factor-bench-empty-'));
  try {
    const started = performance.now();
    const empty = await startBundle(dir, secretKeys, platformApiKey);
    await until(async () => ((await fetch(`${empty.url}/healthz`)).ok ? true : null), 60_000);
    const seconds = (performance.now() - started) / 1000;
    empty.child.kill('SIGTERM');
    await waitForExit(empty.child, 10_000);
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const embeddedRestart: Phase = {
  number: 8,
  name: 'embedded-restart',
  stage: 'alone',
  run: async (bench) => {
    const dataDir = bench.dirs.service;
    const { users, events } = bench.seeded;
    const last = userIdOf(settings.shape.offices - 1, settings.shape.usersPerOffice - 1);
    const lastKnown = (url: string) => async () =>
      (
        await fetch(`${url}/v1/platform/users/${last}/login-requirements`, {
          headers: { 'x-api-key': bench.platformApiKey },
        })
      ).status === 200
        ? true
        : null;
    if (!existsSync(join(dataDir, 'read-models.sqlite'))) {
      progress('phase 8: embedded restart: building the read models once first');
      const first = await bench.startService(null);
      await until(lastKnown(first.url), 600_000);
      first.child.kill('SIGTERM');
      await waitForExit(first.child, 10_000);
    }
    const baseline = await emptyStartSeconds(bench.secretKeys, bench.platformApiKey);
    progress(`phase 8: embedded restart on read-models.sqlite (${users} users, ${events} events)`);
    const started = performance.now();
    const { child, url } = await startBundle(dataDir, bench.secretKeys, bench.platformApiKey);
    // An unenrolled user of an office without the requirement: argon2id runs, the answer is a session.
    const status = await until(async () => {
      const reply = await fetch(`${url}/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: usernameOf(1, 1), password: benchPassword }),
      });
      return reply.status === 200 ? String(((await reply.json()) as { status: string }).status) : null;
    }, 120_000);
    const seconds = (performance.now() - started) / 1000;
    await until(lastKnown(url), 10_000);
    await sleep(5_000);
    const idle = rssOf(child.pid!) ?? Number.NaN;
    child.kill('SIGTERM');
    await waitForExit(child, 10_000);
    progress(
      `  first login check (${status}) ${seconds.toFixed(2)} s after the process started (an empty start reached /healthz in ${baseline.toFixed(2)} s); idle RSS ${mb(idle).toFixed(0)} MB`,
    );
    return [
      {
        figure: `embedded restart, ${users.toLocaleString('en-US')} users: first login check`,
        value: round(seconds, 2),
        unit: 's',
        baseline: round(baseline, 2),
        ratio: round(seconds / baseline, 2),
        target: '≤ 2 s',
        met: seconds <= 2 && status === 'authenticated',
        note: `process start (${startCommandLine()}) to POST /v1/login answering 200, read models from read-models.sqlite; baseline: the same command on an empty DATA_DIR to /healthz`,
      },
      {
        figure: 'embedded restart: idle RSS',
        value: round(mb(idle), 0),
        unit: 'MB',
        baseline: null,
        ratio: null,
        target: '≤ 150 MB',
        met: mb(idle) <= 150,
        note: '5 s after the first login check, /proc/<pid>/status VmRSS',
      },
    ];
  },
};
