/**
 * The baselines of the HTTP phases (bench/baseline-server.ts), in a process of their own, measured with
 * the same load as the service: a bare Fastify route doing one Redis GET of a value as big as a user
 * document, and a bare durable route (Redis GET, one row made durable in SQLite, Redis SET).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { RedisReadModels } from '../../src/adapters/redis/redis-read-models.ts';
import type { BenchSetup } from './bench.ts';
import { cannon, cannonMeasuringCpu, describe } from './load.ts';
import { forkServer, stopChild } from './processes.ts';
import { progress, redisUrl, repoRoot, settings } from './settings.ts';

export const baselineKeys = 1_000;

/** The load's result, and the CPU time (user + system) the bare route's process spent per request. */
export type BareRouteResult = autocannon.Result & { cpuMicrosPerRequest: number };

const startBaselineChild = async (
  bench: BenchSetup,
  prefix: string,
): Promise<{ stop: () => Promise<void>; url: string; keptUrl: string; pid: number }> => {
  const { child, reply } = await forkServer<{ port: number; keptPort: number }>(
    join(repoRoot, 'bench', 'baseline-server.ts'),
    {
      redisUrl,
      prefix,
      keys: baselineKeys,
      durablePath: join(bench.dirs.work, `durable-baseline-${randomBytes(4).toString('hex')}.sqlite`),
      platformApiKey: bench.platformApiKey,
    },
  );
  const { port, keptPort } = reply;
  return {
    stop: () => stopChild(child),
    url: `http://127.0.0.1:${port}`,
    keptUrl: `http://127.0.0.1:${keptPort}`,
    pid: child.pid!,
  };
};

type BaselineChild = Awaited<ReturnType<typeof startBaselineChild>>;

/** Warms up, measures with the service's load settings, reports, and stops the baseline child. */
const measureLoaded = async (
  server: BaselineChild,
  label: string,
  options: (duration: number) => autocannon.Options,
): Promise<BareRouteResult> => {
  await cannon(options(settings.warmupSeconds));
  const { result: measured, cpuMicrosPerRequest } = await cannonMeasuringCpu(
    server.pid,
    options(settings.seconds),
  );
  progress(`  ${label}: ${describe(measured)}, ${cpuMicrosPerRequest.toFixed(0)} µs CPU/request`);
  await server.stop();
  return Object.assign(measured, { cpuMicrosPerRequest });
};

/**
 * Writes the bare GET's values under `prefixes.baseline`, keys 0 to `baselineKeys` − 1, each a copy of
 * a real user document (with its office) from the service's read models; returns that document.
 */
export const writeBaselineValues = async (bench: BenchSetup, sampleUserId: string): Promise<string> => {
  const serviceReadModels = new RedisReadModels(bench.redis, { prefix: bench.prefixes.service });
  const sample = await serviceReadModels.loginByUserId(sampleUserId);
  const sampleJson = JSON.stringify({ ...sample?.user, pending: null, office: sample?.office });
  const write = bench.redis.pipeline();
  for (let i = 0; i < baselineKeys; i += 1) write.set(`${bench.prefixes.baseline}${i}`, sampleJson);
  await write.exec();
  return sampleJson;
};

/**
 * Writes the baseline's values (writeBaselineValues), starts the bare route, measures it after a
 * warm-up, and stops it again.
 */
export const measureBareRoute = async (bench: BenchSetup, sampleUserId: string): Promise<BareRouteResult> => {
  const sampleJson = await writeBaselineValues(bench, sampleUserId);
  const server = await startBaselineChild(bench, bench.prefixes.baseline);
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
  return measureLoaded(server, 'baseline', options);
};

const codeStepLoad =
  (url: string, pathPrefix: string) =>
  (duration: number): autocannon.Options => ({
    url,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          path: `${pathPrefix}${Math.floor(Math.random() * 1e9)}`,
          body: JSON.stringify({ challenge: randomBytes(32).toString('base64url'), code: '123456' }),
        }),
      },
    ],
  });

/**
 * The least a code step must do, as a bare route: Redis GET, one SQLite row committed with
 * `synchronous = FULL` (group commit), Redis SET; loaded like phase 2 (a JSON body per request). Uses
 * the values `measureBareRoute` wrote, so it runs after it.
 */
export const measureDurableBareRoute = async (bench: BenchSetup): Promise<BareRouteResult> => {
  const server = await startBaselineChild(bench, bench.prefixes.baseline);
  return measureLoaded(server, 'durable baseline', codeStepLoad(server.url, '/durable/'));
};

/**
 * The bare durable route with the behaviours the service keeps on every answer (security headers, one
 * request line at `info`, the request metric; bench/baseline-server.ts), loaded like it.
 */
export const measureKeptDurableBareRoute = async (bench: BenchSetup): Promise<BareRouteResult> => {
  const server = await startBaselineChild(bench, bench.prefixes.baseline);
  return measureLoaded(
    server,
    'kept-behaviours durable baseline',
    codeStepLoad(server.keptUrl, '/kept-durable/'),
  );
};

/**
 * The bare GET with what the login check must keep (the platform key hook, security headers, one
 * request line at `info`, the request metric; bench/baseline-server.ts), loaded like phase 1. Uses the
 * values `measureBareRoute` wrote, so it runs after it.
 */
export const measureKeptBareRoute = async (bench: BenchSetup): Promise<BareRouteResult> => {
  const server = await startBaselineChild(bench, bench.prefixes.baseline);
  const options = (duration: number): autocannon.Options => ({
    url: server.keptUrl,
    duration,
    headers: { 'x-api-key': bench.platformApiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/kept/${Math.floor(Math.random() * 1e9)}` }),
      },
    ],
  });
  const check = await fetch(`${server.keptUrl}/kept/1`, { headers: { 'x-api-key': bench.platformApiKey } });
  if (!check.ok) throw new Error(`the kept-behaviours route answered ${check.status}`);
  return measureLoaded(server, 'kept-behaviours baseline', options);
};
