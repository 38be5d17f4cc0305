/** What the password phases share: `POST /v1/login` load, and raw argon2id verifications to compare with. */
import type autocannon from 'autocannon';
import { Argon2idPasswordHasher } from '../../src/adapters/crypto/argon2id-password-hasher.ts';
import { benchPassword } from '../seed.ts';
import type { Bench } from './bench.ts';
import { pick } from './load.ts';

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

/**
 * argon2id verifications of the seeded hash in this process, `atOnce` at a time, in as many rounds as
 * asked (a phase runs one before and one after its service load, to even out a noisy machine).
 */
export const rawArgon2Meter = (bench: Bench, atOnce: number) => {
  const hasher = new Argon2idPasswordHasher();
  let verified = 0;
  let seconds = 0;
  return {
    run: async (forSeconds: number) => {
      const started = performance.now();
      const until = started + forSeconds * 1000;
      await Promise.all(
        Array.from({ length: atOnce }, async () => {
          while (performance.now() < until) {
            if (!(await hasher.verify(bench.passwordHash, benchPassword)))
              throw new Error('argon2 verify failed');
            verified += 1;
          }
        }),
      );
      seconds += (performance.now() - started) / 1000;
    },
    perSecond: () => verified / seconds,
  };
};
