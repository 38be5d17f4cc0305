/** Phase 3: full password logins (argon2id at the configured cost, then a session) per core. */
import type autocannon from 'autocannon';
import { Argon2idPasswordHasher } from '../../src/adapters/crypto/argon2id-password-hasher.ts';
import { cannon, describe, okPerSecond, pick } from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import { cores, progress, round, settings } from '../harness/settings.ts';
import { benchPassword } from '../seed.ts';

export const passwordLogins: Phase = {
  number: 3,
  name: 'password-logins',
  stage: 'service',
  run: async (bench) => {
    progress('phase 3/7: full password logins vs raw argon2id verify in this process');
    const usernames = bench.users.passwordOnly;
    const options = (duration: number): autocannon.Options => ({
      url: bench.service!.url,
      duration,
      connections: 8,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/v1/login',
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ username: pick(usernames), password: benchPassword }),
          }),
        },
      ],
    });
    // Baseline: argon2id verifications of the same hash in this process, `cores` × 2 at a time, while
    // the service is idle; half before and half after the service's run, to even out a noisy machine.
    const hasher = new Argon2idPasswordHasher();
    let verified = 0;
    let verifySeconds = 0;
    const rawArgon2 = async (seconds: number) => {
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: cores * 2 }, async () => {
          while (performance.now() < deadline) {
            if (!(await hasher.verify(bench.passwordHash, benchPassword)))
              throw new Error('argon2 verify failed');
            verified += 1;
          }
        }),
      );
      verifySeconds += (performance.now() - started) / 1000;
    };
    await rawArgon2(settings.argonBaselineSeconds / 2);
    await cannon(options(settings.warmupSeconds));
    const measured = await cannon(options(settings.seconds));
    const perCore = okPerSecond(measured) / cores;
    progress(`  service: ${describe(measured)} → ${perCore.toFixed(1)} logins/s/core`);
    await rawArgon2(settings.argonBaselineSeconds / 2);
    const rawPerCore = verified / verifySeconds / cores;
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
