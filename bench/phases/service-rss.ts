/** Phase 6: RSS of the service process, idle after catching up and the peak during the phases before. */
import type { Phase } from '../harness/phase.ts';
import { rssOf } from '../harness/processes.ts';
import { mb, progress, round } from '../harness/settings.ts';

export const serviceRss: Phase = {
  number: 6,
  name: 'service-rss',
  stage: 'service',
  run: async (bench) => {
    progress('phase 6/7: service RSS (child process, /proc/<pid>/status)');
    const { idle, peak } = bench.serviceRss;
    const hwm = rssOf(bench.service!.child.pid!, 'VmHWM');
    progress(
      `  idle ${mb(idle).toFixed(0)} MB, peak under load ${mb(peak).toFixed(0)} MB, high-water mark ${hwm === null ? '?' : mb(hwm).toFixed(0)} MB`,
    );
    bench.raw.serviceRss = {
      idleMb: mb(idle),
      peakUnderLoadMb: mb(peak),
      highWaterMb: hwm === null ? null : mb(hwm),
    };
    return [
      {
        figure: `service RSS idle (${bench.seeded.users.toLocaleString('en-US')} users)`,
        value: round(mb(idle)),
        unit: 'MB',
        baseline: null,
        ratio: null,
        target: '≤ 150 MB',
        met: mb(idle) <= 150,
      },
      {
        figure: 'service RSS under load (peak)',
        value: round(mb(peak)),
        unit: 'MB',
        baseline: round(mb(idle)),
        ratio: round(peak / idle, 2),
        target: '≤ 150 MB',
        met: mb(peak) <= 150,
        note: `sampled every 100 ms during the service phases before this one; VmHWM incl. catch-up ${hwm === null ? '?' : mb(hwm).toFixed(0)} MB`,
      },
    ];
  },
};
