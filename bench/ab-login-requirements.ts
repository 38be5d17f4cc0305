/**
 * A/B of the login-requirements check: two builds (checkouts with their own built `dist/`, e.g. an
 * older commit copied aside and this one) started side by side on one seeded store, each with its own
 * Redis prefix, loaded in alternating rounds. Prints each round (req/s, p99, CPU per request, CPU per
 * thread) and the median of the rounds' B/A ratios.
 *
 *   node bench/ab-login-requirements.ts <checkout A> <checkout B> [rounds=6] [seconds=3]
 *
 * `ENV_B='{"LOG_LEVEL":"warn"}'` starts B with more settings (A and B may then be the same checkout).
 * `--quick` seeds the quick run's 2,000 users instead of the full 100,000.
 */
import type autocannon from 'autocannon';
import { connectRedis } from '../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../src/adapters/redis/redis-read-models.ts';
import { abArguments, alternateRounds, seedForAb } from './harness/ab.ts';
import { createBenchSetup, usersOf } from './harness/bench.ts';
import { cannon, pick } from './harness/load.ts';
import { type Service, startServiceChild } from './harness/service.ts';
import { redisUrl, settings, sleep } from './harness/settings.ts';

const { checkoutA, checkoutB, rounds, seconds } = abArguments('bench/ab-login-requirements.ts');

const setup = createBenchSetup(await connectRedis(redisUrl));
try {
  const seeded = await seedForAb(setup);

  const users = usersOf(settings.shape).all;
  const start = async (cwd: string, tag: string, env: Record<string, string>): Promise<Service> => {
    const prefix = `${setup.keyBase}${tag}:`;
    const service = await startServiceChild({
      dataDir: setup.dirs.service,
      redis: { url: redisUrl, prefix },
      secretKeys: setup.secretKeys,
      platformApiKey: setup.platformApiKey,
      cwd,
      env,
    });
    const readModels = new RedisReadModels(setup.redis, { prefix });
    while ((await readModels.checkpoint()) < seeded.events) await sleep(50);
    return service;
  };
  const variants = {
    A: await start(checkoutA, 'a', {}),
    B: await start(checkoutB, 'b', JSON.parse(process.env.ENV_B ?? '{}') as Record<string, string>),
  };
  const load = (url: string, duration: number): autocannon.Options => ({
    url,
    duration,
    headers: { 'x-api-key': setup.platformApiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/v1/platform/users/${pick(users)}/login-requirements`,
        }),
      },
    ],
  });
  for (const service of Object.values(variants)) await cannon(load(service.url, settings.warmupSeconds));
  await alternateRounds(rounds, { A: variants.A.child, B: variants.B.child }, (variant) =>
    load(variants[variant].url, seconds),
  );
} finally {
  await setup.cleanUp();
}
