import type { PasswordHasher } from '../../src/application/ports/password-hasher.ts';

/**
 * A password hasher whose calls finish when the test says so (while `held`), and which records how
 * many run at once. Hashes are `fake:<password>`, so what it hashed it verifies.
 */
export const controllableHasher = (options: { held: boolean }) => {
  let held = options.held;
  let running = 0;
  let most = 0;
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const run = <T>(password: string, answer: T): Promise<T> => {
    running += 1;
    most = Math.max(most, running);
    started.push(password);
    const done = (resolve: (value: T) => void) => () => {
      running -= 1;
      resolve(answer);
    };
    return new Promise<T>((resolve) => (held ? releases.push(done(resolve)) : setImmediate(done(resolve))));
  };
  const hasher: PasswordHasher = {
    hash: (password) => run(password, `fake:${password}`),
    verify: (phc, password) => run(password, phc === `fake:${password}`),
    verifyAgainstDummy: (password) => run(password, false as const),
  };
  return {
    hasher,
    hold: () => {
      held = true;
    },
    releaseAll: () => {
      held = false;
      for (const release of releases.splice(0)) release();
    },
    releaseOldest: () => releases.shift()?.(),
    waitingForRelease: () => releases.length,
    running: () => running,
    mostAtOnce: () => most,
    started: () => [...started],
  };
};
