/**
 * Raw argon2id verifications in a process of their own, `atOnce` at a time, on libuv threads at the
 * niceness the service gives its hashing threads (PASSWORD_HASH_NICENESS): the baseline the service's
 * password logins are compared with runs at the same priority. Started with fork(); answers the count.
 */
import { Argon2idPasswordHasher } from '../src/adapters/crypto/argon2id-password-hasher.ts';
import { lowerThreadPoolPriority } from '../src/adapters/crypto/thread-pool-priority.ts';

type Start = { passwordHash: string; password: string; atOnce: number; seconds: number; niceness: number };
export type RawArgon2Report = { verified: number; seconds: number; loweredThreads: number };

process.once('message', async (start: Start) => {
  const hasher = new Argon2idPasswordHasher();
  // The hasher's stand-in hash has started libuv's pool; its threads are lowered before any is timed.
  await hasher.verifyAgainstDummy(start.password);
  const loweredThreads = lowerThreadPoolPriority(start.niceness);
  let verified = 0;
  const started = performance.now();
  const until = started + start.seconds * 1000;
  await Promise.all(
    Array.from({ length: start.atOnce }, async () => {
      while (performance.now() < until) {
        if (!(await hasher.verify(start.passwordHash, start.password)))
          throw new Error('argon2 verify failed');
        verified += 1;
      }
    }),
  );
  const report: RawArgon2Report = { verified, seconds: (performance.now() - started) / 1000, loweredThreads };
  process.send!(report, () => process.exit(0));
});
