/**
 * The baseline of the HTTP phases: a bare Fastify route in its own process doing one Redis GET of a
 * value as big as a user document (bench/baseline-server.ts), measured with the same load as the service.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { RedisReadModels } from '../../src/adapters/redis/redis-read-models.ts';
import type { BenchSetup } from './bench.ts';
import { cannon, describe } from './load.ts';
import { stopChild, track } from './processes.ts';
import { progress, redisUrl, repoRoot, settings } from './settings.ts';

const baselineKeys = 1_000;

const startBaselineChild = async (prefix: string): Promise<{ stop: () => Promise<void>; url: string }> => {
  const child = track(fork(join(repoRoot, 'bench', 'baseline-server.ts'), [], { stdio: 'inherit' }));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code}`)));
    child.send({ redisUrl, prefix, keys: baselineKeys });
  });
  return { stop: () => stopChild(child), url: `http://127.0.0.1:${port}` };
};

/**
 * Writes the baseline's values (as many keys as offices, each a copy of a real user document from the
 * service's read models), starts the bare route, measures it after a warm-up, and stops it again.
 */
export const measureBareRoute = async (
  bench: BenchSetup,
  sampleUserId: string,
): Promise<autocannon.Result> => {
  const serviceReadModels = new RedisReadModels(bench.redis, { prefix: bench.prefixes.service });
  const sample = await serviceReadModels.loginByUserId(sampleUserId);
  const sampleJson = JSON.stringify({ ...sample?.user, pending: null, office: sample?.office });
  const write = bench.redis.pipeline();
  for (let i = 0; i < baselineKeys; i += 1) write.set(`${bench.prefixes.baseline}${i}`, sampleJson);
  await write.exec();
  const server = await startBaselineChild(bench.prefixes.baseline);
  progress(`baseline: bare Fastify route at ${server.url}, values of ${sampleJson.length} bytes`);
  const options = (duration: number): autocannon.Options => ({
    url: server.url,
    duration,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/baseline/${Math.floor(Math.random() * 1e9)}` }),
      },
    ],
  });
  await cannon(options(settings.warmupSeconds));
  const measured = await cannon(options(settings.seconds));
  progress(`  baseline: ${describe(measured)}`);
  await server.stop();
  return measured;
};
