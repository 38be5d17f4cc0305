/** Phase 3: full password logins (argon2id at the configured cost, then a session) per core. */
import { cannon, describe, okPerSecond } from '../harness/load.ts';
import { passwordLoginLoad, rawArgon2Meter } from '../harness/password-load.ts';
import type { Phase } from '../harness/phase.ts';
import { cores, progress, round, settings } from '../harness/settings.ts';

export const passwordLogins: Phase = {
  number: 3,
  name: 'password-logins',
  stage: 'service',
  run: async (bench) => {
    progress('phase 3/7: full password logins vs raw argon2id verify in a process of its own');
    const options = passwordLoginLoad(bench, 8);
    // Baseline: argon2id verifications of the same hash (raw-argon2-child.ts), `cores` × 2 at a time, while
    // the service is idle; half before and half after the service's run, to even out a noisy machine.
    const rawArgon2 = rawArgon2Meter(bench, cores * 2);
    await rawArgon2.run(settings.argonBaselineSeconds / 2);
    await cannon(options(settings.warmupSeconds));
    const measured = await cannon(options(settings.seconds));
    const perCore = okPerSecond(measured) / cores;
    progress(`  service: ${describe(measured)} → ${perCore.toFixed(1)} logins/s/core`);
    await rawArgon2.run(settings.argonBaselineSeconds / 2);
    const rawPerCore = rawArgon2.perSecond() / cores;
    progress(`  raw argon2id verify: ${rawPerCore.toFixed(1)}/s/core`);
    bench.raw.passwordLogins = { service: measured, rawArgon2PerCore: rawPerCore, cores };
    return [
      {
        figure: 'password logins per core',
        value: round(perCore, 1),
        unit: '/s/core',
        baseline: round(rawPerCore, 1),
        ratio: round(perCore / rawPerCore, 2),
        target: '≥ 45 /s/core',
        met: perCore >= 45 && measured.non2xx === 0,
        note: `baseline: raw argon2id verifies/s/core; ${cores} cores; p99 ${measured.latency.p99} ms`,
      },
    ];
  },
};
