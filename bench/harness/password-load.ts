/** What the password phases share: `POST /v1/login` load, and raw argon2id verifications to compare with. */

import { fork } from 'node:child_process';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { loadConfig } from '../../src/config/config.ts';
import type { RawArgon2Report } from '../raw-argon2-child.ts';
import { benchPassword } from '../seed.ts';
import type { Bench } from './bench.ts';
import { pick } from './load.ts';
import { track, waitForExit } from './processes.ts';
import { repoRoot } from './settings.ts';

/** Password logins of random users without 2FA against the running service. */
export const passwordLoginLoad =
  (bench: Bench, connections: number) =>
  (duration: number): autocannon.Options => ({
    url: bench.service!.url,
    duration,
    connections,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/v1/login',
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ username: pick(bench.users.passwordOnly), password: benchPassword }),
        }),
      },
    ],
  });

/** The niceness the service gives its hashing threads, as its configuration reads it from the environment. */
export const serviceHashNiceness = loadConfig({
  PASSWORD_HASH_NICENESS: process.env.PASSWORD_HASH_NICENESS,
}).PASSWORD_HASH_NICENESS;

/**
 * argon2id verifications of the seeded hash in a child process, `atOnce` at a time, on threads at the
 * service's hashing niceness, in as many rounds as asked (a phase runs one before and one after its
 * service load, to even out a noisy machine).
 */
export const rawArgon2Meter = (bench: Bench, atOnce: number) => {
  let verified = 0;
  let seconds = 0;
  return {
    run: async (forSeconds: number) => {
      const child = track(fork(join(repoRoot, 'bench', 'raw-argon2-child.ts'), [], { stdio: 'inherit' }));
      const report = await new Promise<RawArgon2Report>((resolve, reject) => {
        child.once('message', (message) => resolve(message as RawArgon2Report));
        child.once('exit', (code) => reject(new Error(`the raw argon2id meter exited with ${code}`)));
        child.send({
          passwordHash: bench.passwordHash,
          password: benchPassword,
          atOnce,
          seconds: forSeconds,
          niceness: serviceHashNiceness,
        });
      });
      await waitForExit(child, 5_000);
      verified += report.verified;
      seconds += report.seconds;
    },
    perSecond: () => verified / seconds,
  };
};
