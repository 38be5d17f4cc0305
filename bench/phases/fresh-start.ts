/**
 * Phase 9: a fresh instance started next to the running one, against the Redis read models that are
 * already projected: time from spawning the process to its first answered login check.
 */
import type { Phase } from '../harness/phase.ts';
import { cpuSecondsOf, rssOf, waitForExit } from '../harness/processes.ts';
import { mb, progress, round, sleep } from '../harness/settings.ts';

export const freshStart: Phase = {
  number: 9,
  name: 'fresh-start',
  stage: 'service',
  run: async (bench) => {
    progress('phase 9: start-up of a fresh instance against the projected Redis read models');
    const fresh = await bench.startService({ prefix: bench.prefixes.service });
    const userId = bench.users.all.at(-1)!;
    const healthy = performance.now();
    for (;;) {
      const reply = await fetch(`${fresh.url}/v1/platform/users/${userId}/login-requirements`, {
        headers: { 'x-api-key': bench.platformApiKey },
      });
      if (reply.status === 200) break;
      if (performance.now() - fresh.spawnedAt > 60_000)
        throw new Error(`the fresh instance answered ${reply.status} for 60 s`);
      await sleep(5);
    }
    const seconds = (performance.now() - fresh.spawnedAt) / 1000;
    const rss = rssOf(fresh.child.pid!) ?? Number.NaN;
    const cpu = cpuSecondsOf(fresh.child.pid!) ?? Number.NaN;
    progress(
      `  first login check answered ${seconds.toFixed(2)} s after spawning (healthy after ${((healthy - fresh.spawnedAt) / 1000).toFixed(2)} s), ${cpu.toFixed(2)} s of CPU; RSS ${mb(rss).toFixed(0)} MB`,
    );
    fresh.child.kill('SIGTERM');
    await waitForExit(fresh.child, 10_000);
    bench.raw.freshStart = {
      seconds,
      cpuSeconds: cpu,
      healthySeconds: (healthy - fresh.spawnedAt) / 1000,
      rssMb: mb(rss),
    };
    return [
      {
        figure: 'fresh instance: first login check (Redis projected)',
        value: round(seconds, 2),
        unit: 's',
        baseline: null,
        ratio: null,
        target: '≤ 1 s',
        met: seconds <= 1,
        note: `from spawning npm start's command to the first 200 of a login check; /healthz answered after ${((healthy - fresh.spawnedAt) / 1000).toFixed(2)} s; RSS then ${mb(rss).toFixed(0)} MB`,
      },
      {
        figure: 'fresh instance: CPU time until then',
        value: round(cpu, 2),
        unit: 's',
        baseline: null,
        ratio: null,
        target: '—',
        met: null,
        note: 'user + system CPU of the process (all threads): the part of the start-up a loaded machine does not stretch',
      },
    ];
  },
};
