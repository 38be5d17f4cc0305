/**
 * A/B of the code step (`POST /v1/login/second-factor`): two builds (checkouts with their own built
 * `dist/`) each on its own copy of one seeded store and its own Redis prefix, loaded in alternating
 * rounds, every request with a fresh challenge of a user that variant has not seen yet. Prints each
 * round (req/s, p99, CPU per request and per thread) and the median of the rounds' B/A ratios.
 *
 *   node bench/ab-second-factor.ts <checkout A> <checkout B> [rounds=6] [seconds=3]
 *
 * `ENV_B='{"LOG_LEVEL":"warn"}'` starts B with more settings. `--quick` seeds 2,000 users (1,000
 * enrolled: enough for a few short rounds) instead of 100,000.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { generateSync } from 'otplib';
import { RandomTokens } from '../src/adapters/crypto/random-tokens.ts';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../src/adapters/redis/redis-read-models.ts';
import { RedisSessionStore } from '../src/adapters/redis/redis-session-store.ts';
import { abArguments, alternateRounds, seedForAb } from './harness/ab.ts';
import { createBenchSetup, usersOf } from './harness/bench.ts';
import { cannon } from './harness/load.ts';
import { type Service, startServiceChild } from './harness/service.ts';
import { redisUrl, settings, sleep } from './harness/settings.ts';
import { codeStepLoad } from './phases/second-factor.ts';

const { checkoutA, checkoutB, rounds, seconds } = abArguments('bench/ab-second-factor.ts');

const setup = createBenchSetup(await connectRedis(redisUrl));
try {
  const seeded = await seedForAb(setup);

  const enrolled = usersOf(settings.shape).enrolled;
  const start = async (cwd: string, tag: string, env: Record<string, string>) => {
    const prefix = `${setup.keyBase}${tag}:`;
    const dataDir = join(setup.dirs.work, `ab-${tag}`);
    cpSync(setup.dirs.service, dataDir, { recursive: true });
    const service: Service = await startServiceChild({
      dataDir,
      redis: { url: redisUrl, prefix },
      secretKeys: setup.secretKeys,
      platformApiKey: setup.platformApiKey,
      cwd,
      env,
    });
    const readModels = new RedisReadModels(setup.redis, { prefix });
    while ((await readModels.checkpoint()) < seeded.events) await sleep(50);
    // The last batch in Redis is not yet the service serving it: the warm-up waits for its readiness.
    while (!(await fetch(`${service.url}/readyz`)).ok) await sleep(50);
    const sessions = new RedisSessionStore(setup.redis, prefix, new RandomTokens());
    const unseen = [...enrolled].sort(() => Math.random() - 0.5);
    /** Challenges and codes made before the load: the load generator shares the cores. */
    const prepare = async (count: number) =>
      Promise.all(
        unseen.splice(0, count).map(async ({ userId, secret }) => ({
          code: generateSync({ secret }),
          challenge: await sessions.createChallenge(
            { userId, kind: 'second-factor', createdAt: new Date().toISOString() },
            600,
          ),
        })),
      );
    let rate = 0;
    const load = async (count: number): Promise<autocannon.Options> =>
      codeStepLoad(service.url, await prepare(count));
    // The code step's many parts take a few thousand requests to be compiled: warm up for about 4 s.
    for (const count of [500, 1_000, 2_000]) {
      const warmup = await cannon(await load(Math.min(count, Math.floor(unseen.length / 10))));
      rate = warmup['2xx'] / warmup.duration;
      if (rate === 0)
        throw new Error(
          `${tag}: no code step succeeded in the warm-up (${warmup.non2xx} non-2xx, by status ${JSON.stringify(warmup.statusCodeStats)}, ${warmup.errors} errors); the service's last log lines:\n${service.logs.join('').slice(-4_000)}`,
        );
    }
    return {
      service,
      /** About `seconds` of load at the warm-up's rate, as far as unseen users last. */
      nextRound: () => load(Math.min(Math.ceil(rate * seconds * 1.3), Math.floor(unseen.length / rounds))),
    };
  };
  const variants = {
    A: await start(checkoutA, 'a', {}),
    B: await start(checkoutB, 'b', JSON.parse(process.env.ENV_B ?? '{}') as Record<string, string>),
  };
  await alternateRounds(rounds, { A: variants.A.service.child, B: variants.B.service.child }, (variant) =>
    variants[variant].nextRound(),
  );
} finally {
  await setup.cleanUp();
}
