/** Phase 8: the embedded default on the seeded store, first start: SQLite events, read models built into read-models.sqlite. */
import type { Phase } from '../harness/phase.ts';
import { rssOf, waitForExit } from '../harness/processes.ts';
import { mb, progress, round, settings, sleep } from '../harness/settings.ts';
import { userIdOf } from '../seed.ts';

export const embeddedStartup: Phase = {
  number: 8,
  name: 'embedded-startup',
  stage: 'alone',
  run: async (bench) => {
    const { events, users } = bench.seeded;
    progress(
      `phase 8: embedded start-up (SQLite events, read models built into read-models.sqlite) with ${events} events`,
    );
    const started = performance.now();
    const embedded = await bench.startService(null);
    const last = userIdOf(settings.shape.offices - 1, settings.shape.usersPerOffice - 1);
    for (;;) {
      const reply = await fetch(`${embedded.url}/v1/platform/users/${last}/login-requirements`, {
        headers: { 'x-api-key': bench.platformApiKey },
      });
      if (reply.status === 200) break;
      if (performance.now() - started > 120_000)
        throw new Error('the embedded service did not catch up in 120 s');
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1000;
    const rss = rssOf(embedded.child.pid!) ?? Number.NaN;
    progress(
      `  ready with every user after ${seconds.toFixed(1)} s (${Math.round(events / seconds)} events/s); RSS ${mb(rss).toFixed(0)} MB`,
    );
    embedded.child.kill('SIGTERM');
    await waitForExit(embedded.child, 10_000);
    return [
      {
        figure: `embedded start-up with ${users.toLocaleString('en-US')} users (${events.toLocaleString('en-US')} events)`,
        value: round(seconds, 1),
        unit: 's',
        baseline: null,
        ratio: null,
        target: '—',
        met: null,
        note: `process start to the last user's login check answering; RSS then ${mb(rss).toFixed(0)} MB`,
      },
    ];
  },
};
