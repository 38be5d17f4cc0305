/**
 * The benchmark: `npm run bench` (about 5 minutes) or `npm run bench -- --quick` (about a minute).
 * Every speed figure is a ratio to a baseline measured in the same run on the same machine.
 * See bench/README.md for what each figure measures and how.
 */
import 'reflect-metadata';
import { type ChildProcess, execSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Redis } from 'ioredis';
import { generateSync } from 'otplib';
import { Argon2idPasswordHasher } from '../src/adapters/crypto/argon2id-password-hasher.ts';
import { RandomTokens } from '../src/adapters/crypto/random-tokens.ts';
import { migrate } from '../src/adapters/eventstore/sqlite/schema.ts';
import { SqliteEventStore } from '../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { connectRedis, deleteKeysWithPrefix } from '../src/adapters/redis/connect-redis.ts';
import { RedisReadModels } from '../src/adapters/redis/redis-read-models.ts';
import { RedisSessionStore } from '../src/adapters/redis/redis-session-store.ts';
import { verifyChains } from '../src/application/audit-chain/verify-chain.ts';
import type { EventStore } from '../src/application/ports/event-store.ts';
import type { ProjectionTarget, ReadModels } from '../src/application/ports/read-models.ts';
import { Projector } from '../src/application/projector.ts';
import { loadConfig } from '../src/config/config.ts';
import { createLogger } from '../src/config/logger.ts';
import type { UserRole } from '../src/domain/shared/actor.ts';
import { userAccountStream } from '../src/domain/user-account/events.ts';
import { compose, tokens } from '../src/main.ts';
import type { RebuildReport } from './rebuild-child.ts';
import {
  benchPassword,
  benchPasswordHash,
  copyStoreScaled,
  eventMetadata,
  isEnrolled,
  makeKeyring,
  officeRequires2fa,
  type SeedShape,
  seedEventStore,
  totpSecretOf,
  userIdOf,
  usernameOf,
} from './seed.ts';

// ---------------------------------------------------------------------------------------------- settings

const quick = process.argv.includes('--quick');
const settings = quick
  ? {
      shape: { offices: 20, usersPerOffice: 100 } satisfies SeedShape,
      rebuildEvents: 100_000,
      seconds: 2,
      warmupSeconds: 0.5,
      lagSeconds: 2,
      appendSeconds: 1,
      argonBaselineSeconds: 1,
      budgetSeconds: 58,
    }
  : {
      shape: { offices: 1_000, usersPerOffice: 100 } satisfies SeedShape,
      rebuildEvents: 1_000_000,
      seconds: 10,
      warmupSeconds: 2,
      lagSeconds: 5,
      appendSeconds: 3,
      argonBaselineSeconds: 3,
      budgetSeconds: 290,
    };
const lagRatePerSecond = 1_000;
const connections = 10;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl =
  process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== ''
    ? process.env.REDIS_URL
    : 'redis://127.0.0.1:6379';
const cores = availableParallelism();

const runStarted = performance.now();
const elapsed = () => (performance.now() - runStarted) / 1000;
const progress = (message: string) =>
  process.stdout.write(`[bench ${elapsed().toFixed(1).padStart(5)}s] ${message}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const mb = (bytes: number) => bytes / 2 ** 20;

// ---------------------------------------------------------------------------------------------- figures

type Figure = {
  phase: number;
  figure: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean | null;
  note?: string;
};
const figures: Figure[] = [];
const raw: Record<string, unknown> = {};
const add = (figure: Figure) => figures.push(figure);

// ---------------------------------------------------------------------------------------------- helpers

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Resident set size of another process, from /proc (Linux). */
const rssOf = (pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
};

const cannon = (options: autocannon.Options): Promise<autocannon.Result> =>
  autocannon({ connections, ...options });

/** Successful responses per second over the whole run. */
const okPerSecond = (result: autocannon.Result) => result['2xx'] / result.duration;

const describe = (result: autocannon.Result) =>
  `${Math.round(okPerSecond(result))} ok/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms` +
  (result.non2xx + result.errors > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : '');

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

const waitForExit = (child: ChildProcess, ms: number) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });

// ---------------------------------------------------------------------------------------------- state

const runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
const keyBase = `bench-${runId}:`;
const prefixes = {
  service: `${keyBase}svc:`,
  baseline: `${keyBase}base:`,
  lag: `${keyBase}lag:`,
  rebuild: `${keyBase}rebuild:`,
};
const workDir = mkdtempSync(join(tmpdir(), 'second-factor-bench-'));
const dataDir = join(workDir, 'service');
const lagDir = join(workDir, 'lag');
const rebuildDir = join(workDir, 'rebuild');
const appendDir = join(workDir, 'append');
for (const dir of [dataDir, lagDir, rebuildDir, appendDir]) mkdirSync(dir, { recursive: true });
const platformApiKey = randomBytes(32).toString('base64url');
const { keyring, secretKeys } = makeKeyring();
const children = new Set<ChildProcess>();
let redis: Redis | null = null;

const cleanUp = async () => {
  for (const child of children) {
    child.kill('SIGTERM');
    await waitForExit(child, 5_000);
  }
  if (redis !== null) {
    const dropped = await deleteKeysWithPrefix(redis, keyBase).catch(() => 0);
    progress(`dropped ${dropped} Redis keys under ${keyBase}`);
    redis.disconnect();
  }
  rmSync(workDir, { recursive: true, force: true });
};

// ---------------------------------------------------------------------------------------------- phases

/** The embedded default on the same store: SQLite and in-memory read models caught up at start-up. */
const phaseEmbeddedStartup = async (events: number, users: number) => {
  progress(`phase 8: embedded start-up (SQLite + in-memory read models) with ${events} events`);
  const started = performance.now();
  const embedded = await startServiceChild({ redis: false });
  const last = userIdOf(settings.shape.offices - 1, settings.shape.usersPerOffice - 1);
  for (;;) {
    const reply = await fetch(`${embedded.url}/v1/platform/users/${last}/login-requirements`, {
      headers: { 'x-api-key': platformApiKey },
    });
    if (reply.status === 200) break;
    if (performance.now() - started > 120_000)
      throw new Error('the embedded service did not catch up in 120 s');
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  const rss = rssOf(embedded.child.pid!) ?? Number.NaN;
  progress(
    `  ready with every user after ${seconds.toFixed(1)} s (${Math.round(events / seconds)} events/s); RSS ${mb(rss).toFixed(0)} MB`,
  );
  add({
    phase: 8,
    figure: `embedded start-up with ${users.toLocaleString('en-US')} users (${events.toLocaleString('en-US')} events)`,
    value: round(seconds, 1),
    unit: 's',
    baseline: null,
    ratio: null,
    target: '—',
    met: null,
    note: `process start to the last user's login check answering; RSS then ${mb(rss).toFixed(0)} MB`,
  });
  embedded.child.kill('SIGTERM');
  await waitForExit(embedded.child, 10_000);
};

type Service = { child: ChildProcess; url: string; logs: string[]; logBytes: { count: number } };

const startServiceChild = async (options: { redis: boolean } = { redis: true }): Promise<Service> => {
  const port = await freePort();
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of the service there when it stops.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  // The same flags as `npm start` and the Docker image.
  const nodeArgs = [
    '--optimize-for-size',
    ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
  ];
  // The production entry point: the bundle `npm start` builds and runs.
  execSync('npm run -s build', { cwd: repoRoot, stdio: 'inherit' });
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...(options.redis ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefixes.service } : { REDIS_URL: '' }),
      LOG_LEVEL: 'warn',
      SECRET_KEYS: secretKeys,
      PLATFORM_API_KEY: platformApiKey,
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const logs: string[] = [];
  const logBytes = { count: 0 };
  const keep = (chunk: Buffer) => {
    logBytes.count += chunk.length;
    logs.push(chunk.toString());
    if (logs.length > 50) logs.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited:\n${logs.join('')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the service did not start:\n${logs.join('')}`);
    await sleep(100);
  }
  return { child, url, logs, logBytes };
};

const startBaselineChild = async (keys: number): Promise<{ child: ChildProcess; url: string }> => {
  const child = fork(join(repoRoot, 'bench', 'baseline-server.ts'), [], { stdio: 'inherit' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code}`)));
    child.send({ redisUrl, prefix: prefixes.baseline, keys });
  });
  return { child, url: `http://127.0.0.1:${port}` };
};

const stopChild = async (child: ChildProcess) => {
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  await waitForExit(child, 5_000);
};

/** All user ids of a shape, split the way the phases use them. */
const usersOf = (shape: SeedShape) => {
  const all: string[] = [];
  const enrolled: { userId: string; secret: string }[] = [];
  const passwordOnly: string[] = [];
  for (let o = 0; o < shape.offices; o += 1) {
    for (let u = 0; u < shape.usersPerOffice; u += 1) {
      const userId = userIdOf(o, u);
      all.push(userId);
      if (isEnrolled(u)) enrolled.push({ userId, secret: totpSecretOf(userId) });
      else if (!officeRequires2fa(o)) passwordOnly.push(usernameOf(o, u));
    }
  }
  return { all, enrolled, passwordOnly };
};

/** Phase 1: login-requirements vs the bare Redis GET route. */
const phaseLoginRequirements = async (service: Service, baselineUrl: string, userIds: string[]) => {
  progress('phase 1/7: GET login-requirements vs baseline (bare Fastify + one Redis GET)');
  const check = await fetch(`${service.url}/v1/platform/users/${userIds[0]}/login-requirements`, {
    headers: { 'x-api-key': platformApiKey },
  });
  if (!check.ok) throw new Error(`login-requirements answered ${check.status}: ${await check.text()}`);
  const serviceOptions = (duration: number): autocannon.Options => ({
    url: service.url,
    duration,
    headers: { 'x-api-key': platformApiKey },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/v1/platform/users/${pick(userIds)}/login-requirements`,
        }),
      },
    ],
  });
  const baselineOptions = (duration: number): autocannon.Options => ({
    url: baselineUrl,
    duration,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: `/baseline/${Math.floor(Math.random() * 1e9)}` }),
      },
    ],
  });
  // Alternate baseline and service so that a noisy neighbour hurts both alike.
  await cannon(baselineOptions(settings.warmupSeconds));
  const baseline = await cannon(baselineOptions(settings.seconds));
  progress(`  baseline: ${describe(baseline)}`);
  await cannon(serviceOptions(settings.warmupSeconds));
  const measured = await cannon(serviceOptions(settings.seconds));
  progress(`  service:  ${describe(measured)}`);
  raw.loginRequirements = { service: measured, baseline };
  const ratio = okPerSecond(measured) / okPerSecond(baseline);
  add({
    phase: 1,
    figure: 'login-requirements throughput',
    value: round(okPerSecond(measured)),
    unit: 'req/s',
    baseline: round(okPerSecond(baseline)),
    ratio: round(ratio, 2),
    target: 'ratio ≥ 0.85',
    met: ratio >= 0.85 && measured.non2xx === 0,
    ...(measured.non2xx > 0 ? { note: `${measured.non2xx} non-2xx` } : {}),
  });
  const p99Ratio = measured.latency.p99 / baseline.latency.p99;
  add({
    phase: 1,
    figure: 'login-requirements p99 latency',
    value: measured.latency.p99,
    unit: 'ms',
    baseline: baseline.latency.p99,
    ratio: round(p99Ratio, 2),
    target: 'ratio ≤ 1.3',
    met: p99Ratio <= 1.3,
  });
  return baseline;
};

/** Phase 2: POST /v1/login/second-factor, each request a fresh challenge of a different enrolled user. */
const phaseSecondFactor = async (
  service: Service,
  baseline: autocannon.Result,
  enrolled: { userId: string; secret: string }[],
) => {
  progress('phase 2/7: POST /v1/login/second-factor with fresh codes vs baseline');
  const sessions = new RedisSessionStore(redis!, prefixes.service, new RandomTokens());
  const pool = [...enrolled].sort(() => Math.random() - 0.5);

  // One end-to-end login through HTTP first: the password step's challenge, then the code.
  const first = pool.pop()!;
  const [o, u] = first.userId.slice(2).split('-');
  const login = await fetch(`${service.url}/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `user${o}.${u}`, password: benchPassword }),
  });
  const loginBody = (await login.json()) as { status: string; challenge: string };
  if (loginBody.status !== 'second-factor-required')
    throw new Error(`expected a second-factor challenge, got ${JSON.stringify(loginBody)}`);
  const finish = await fetch(`${service.url}/v1/login/second-factor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challenge: loginBody.challenge, code: generateSync({ secret: first.secret }) }),
  });
  if (!finish.ok) throw new Error(`second-factor answered ${finish.status}: ${await finish.text()}`);

  // Challenges for the measured requests are made with the service's own session store (the same
  // Redis SET the password step does): getting 10,000+ of them through argon2 would take minutes.
  const prepare = async (count: number) => {
    const started = performance.now();
    const prepared: { challenge: string; secret: string }[] = [];
    const take = pool.splice(0, count);
    for (let i = 0; i < take.length; i += 1_000) {
      prepared.push(
        ...(await Promise.all(
          take.slice(i, i + 1_000).map(async ({ userId, secret }) => ({
            secret,
            challenge: await sessions.createChallenge(
              { userId, kind: 'second-factor', createdAt: new Date().toISOString() },
              600,
            ),
          })),
        )),
      );
    }
    progress(
      `  prepared ${prepared.length} challenges in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return prepared;
  };
  const run = (prepared: { challenge: string; secret: string }[]) => {
    let next = 0;
    return cannon({
      url: service.url,
      amount: prepared.length,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/v1/login/second-factor',
          setupRequest: (request) => {
            // Past the end (should not happen: `amount` is the pool size) the challenge is reused and fails.
            const item = prepared[next % prepared.length]!;
            next += 1;
            return {
              ...request,
              body: JSON.stringify({
                challenge: item.challenge,
                code: generateSync({ secret: item.secret }),
              }),
            };
          },
        },
      ],
    });
  };
  const warmupCount = Math.min(quick ? 60 : 200, Math.floor(pool.length / 4));
  const warmup = await run(await prepare(warmupCount));
  const warmupRate = okPerSecond(warmup);
  progress(`  warm-up: ${describe(warmup)}`);
  // `amount` ends the run: enough for the measuring time at 1.5× the warm-up's rate (users permitting).
  const wanted = Math.max(connections * 20, Math.ceil(warmupRate * settings.seconds * 1.5));
  const measured = await run(await prepare(Math.min(wanted, pool.length)));
  progress(`  service:  ${describe(measured)}`);
  raw.secondFactor = { service: measured, warmup };
  const ratio = okPerSecond(measured) / okPerSecond(baseline);
  add({
    phase: 2,
    figure: 'second-factor (fresh code) throughput',
    value: round(okPerSecond(measured)),
    unit: 'req/s',
    baseline: round(okPerSecond(baseline)),
    ratio: round(ratio, 3),
    target: 'ratio ≥ 0.35',
    met: ratio >= 0.35 && measured.non2xx === 0,
    note: `p99 ${measured.latency.p99} ms; ${measured['2xx']} ok, ${measured.non2xx} non-2xx in ${measured.duration.toFixed(1)} s`,
  });
};

/** Phase 3: full password logins (argon2id at the configured cost, then a session) per core. */
const phasePasswordLogins = async (service: Service, usernames: string[], passwordHash: string) => {
  progress('phase 3/7: full password logins vs raw argon2id verify in this process');
  const options = (duration: number): autocannon.Options => ({
    url: service.url,
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
          if (!(await hasher.verify(passwordHash, benchPassword))) throw new Error('argon2 verify failed');
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
  raw.passwordLogins = { service: measured, rawArgon2PerCore: rawPerCore, cores };
  add({
    phase: 3,
    figure: 'password logins per core',
    value: round(perCore, 1),
    unit: '/s/core',
    baseline: round(rawPerCore, 1),
    ratio: round(perCore / rawPerCore, 2),
    target: '≥ 45 /s/core',
    met: perCore >= 45 && measured.non2xx === 0,
    note: `baseline: raw argon2id verifies/s/core; ${cores} cores; p99 ${measured.latency.p99} ms`,
  });
};

/**
 * Phase 4: append → applied to the Redis read model, at 1,000 events/s. The store, read models and
 * wiring come from compose(); the projector is the service's own class, given a target that notes
 * when each apply script has returned (the data is then visible to every Redis reader).
 */
const phaseProjectionLag = async () => {
  progress(`phase 4/7: projection lag at ${lagRatePerSecond} events/s`);
  const shape = { offices: 10, usersPerOffice: 10 };
  const seeded = await seedEventStore(join(lagDir, 'events.sqlite'), shape, keyring, '$argon2id$bench', null);
  const config = loadConfig({
    DATA_DIR: lagDir,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefixes.lag,
    SECRET_KEYS: secretKeys,
    PLATFORM_API_KEY: platformApiKey,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('silent');
  const scope = compose(config, logger, redis);
  const events = scope.resolve<EventStore>(tokens.eventStore);
  const readModels = scope.resolve<ReadModels & ProjectionTarget>(tokens.readModels);
  const appliedAt = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  const target: ProjectionTarget = {
    checkpoint: () => readModels.checkpoint(),
    origin: () => readModels.origin(),
    reject: () => readModels.reject(),
    unfinishedBuild: () => readModels.unfinishedBuild(),
    startBuild: (storeId, head) => readModels.startBuild(storeId, head),
    apply: async (event, previous) => {
      const outcome = await readModels.apply(event, previous);
      if (outcome === 'applied') {
        appliedAt.set(event.position, performance.now());
        waiting.get(event.position)?.();
      }
      return outcome;
    },
    applyBatch: async (batch, previous) => {
      const outcome = await readModels.applyBatch(batch, previous);
      if (outcome === 'applied') {
        const now = performance.now();
        for (const event of batch) {
          appliedAt.set(event.position, now);
          waiting.get(event.position)?.();
        }
      }
      return outcome;
    },
  };
  const projector = new Projector(events, target, logger);
  projector.start();
  while ((await readModels.checkpoint()) < seeded.events) await sleep(20);

  const users = Array.from({ length: shape.offices * shape.usersPerOffice }, (_, i) =>
    userIdOf(Math.floor(i / shape.usersPerOffice), i % shape.usersPerOffice),
  );
  const roles = new Map<string, UserRole>(users.map((userId) => [userId, 'member']));
  const measure = async (rate: number, seconds: number) => {
    const total = Math.round(rate * seconds);
    const lags: number[] = [];
    const totalLags: number[] = [];
    let timedOut = 0;
    /** Waits until the projector applied `position`; resolves with when, or null after 5 s. */
    const applied = async (position: number): Promise<number | null> => {
      const at =
        appliedAt.get(position) ??
        (await Promise.race([
          new Promise<number>((resolve) => waiting.set(position, () => resolve(appliedAt.get(position)!))),
          new Promise<null>((resolve) => setTimeout(resolve, 5_000, null).unref()),
        ]));
      waiting.delete(position);
      appliedAt.delete(position);
      return at;
    };
    const pending: Promise<void>[] = [];
    // Paced by a 1 ms timer: each tick appends the events that are due, one append (one transaction)
    // each, synchronously on the event loop as the service does; between ticks the projector runs.
    const started = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      // At most two per tick: when the store cannot keep the pace the rate drops (and is reported)
      // instead of a growing burst starving the projector of the event loop.
      for (let inTick = 0; sent < due && inTick < 2; sent += 1, inTick += 1) {
        const userId = users[sent % users.length]!;
        const previousRole = roles.get(userId)!;
        const role: UserRole = previousRole === 'member' ? 'support' : 'member';
        roles.set(userId, role);
        const before = performance.now();
        const { position } = await events.append(
          userAccountStream(userId),
          [{ type: 'UserRoleChanged', data: { userId, role, previousRole }, metadata: eventMetadata() }],
          'any',
        );
        const committed = performance.now();
        pending.push(
          applied(position).then((at) => {
            if (at === null) timedOut += 1;
            else {
              lags.push(Math.max(0, at - committed));
              totalLags.push(at - before);
            }
          }),
        );
      }
      await sleep(1);
    }
    const appendSeconds = (performance.now() - started) / 1000;
    await Promise.all(pending);
    lags.sort((a, b) => a - b);
    totalLags.sort((a, b) => a - b);
    return {
      count: lags.length,
      timedOut,
      p50: percentile(lags, 50),
      p99: percentile(lags, 99),
      max: lags.at(-1) ?? Number.NaN,
      withAppend: { p50: percentile(totalLags, 50), p99: percentile(totalLags, 99) },
      achieved: total / appendSeconds,
    };
  };
  // Baseline: two sequential Redis round trips (what one apply costs at least), 200 times, 5 ms apart.
  const floorSamples: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const before = performance.now();
    await redis!.get(`${prefixes.lag}floor`);
    await redis!.get(`${prefixes.lag}floor`);
    floorSamples.push(performance.now() - before);
    await sleep(5);
  }
  floorSamples.sort((a, b) => a - b);
  const floor = { p50: percentile(floorSamples, 50), p99: percentile(floorSamples, 99) };
  progress(
    `  baseline, two Redis GETs in a row: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`,
  );
  // A light load first (the floor: two Redis round trips per event), then the asked 1,000 events/s.
  const light = await measure(lagRatePerSecond / 10, 1);
  progress(
    `  at ${Math.round(light.achieved)}/s: commit → applied p50 ${light.p50.toFixed(2)} ms, p99 ${light.p99.toFixed(2)} ms`,
  );
  const { count, timedOut, p50, p99, max, withAppend, achieved } = await measure(
    lagRatePerSecond,
    settings.lagSeconds,
  );
  await projector.stop();
  await events.close();
  progress(
    `  ${count} events at ${Math.round(achieved)}/s: commit → applied p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms; append call → applied p50 ${withAppend.p50.toFixed(2)} ms, p99 ${withAppend.p99.toFixed(2)} ms`,
  );
  raw.projectionLag = { floor, light, count, timedOut, p50, p99, max, withAppend, achievedRate: achieved };
  add({
    phase: 4,
    figure: 'projection lag p50',
    value: round(p50, 2),
    unit: 'ms',
    baseline: round(floor.p50, 2),
    ratio: round(p50 / floor.p50, 1),
    target: '—',
    met: null,
    note: `commit → applied; ${Math.round(achieved)} events/s achieved of ${lagRatePerSecond} asked; append call → applied p50 ${withAppend.p50.toFixed(2)} ms, p99 ${withAppend.p99.toFixed(2)} ms`,
  });
  add({
    phase: 4,
    figure: 'projection lag p99',
    value: round(p99, 2),
    unit: 'ms',
    baseline: round(floor.p99, 2),
    ratio: round(p99 / floor.p99, 1),
    target: '≤ 10 ms',
    met: p99 <= 10 && timedOut === 0 && achieved >= lagRatePerSecond * 0.95,
    ...(timedOut > 0 ? { note: `${timedOut} not applied within 5 s` } : {}),
  });
  add({
    phase: 4,
    figure: `projection lag p99 at ${Math.round(light.achieved)} events/s`,
    value: round(light.p99, 2),
    unit: 'ms',
    baseline: round(floor.p99, 2),
    ratio: round(light.p99 / floor.p99, 1),
    target: '—',
    met: null,
    note: `p50 ${light.p50.toFixed(2)} ms; baseline of the lag rows: two sequential Redis GETs (p50/p99)`,
  });
};

/** Phase 5: rebuild into a fresh Redis generation, in a child process for its own peak RSS. */
const phaseRebuild = async (storePath: string, events: number) => {
  const capSeconds = Math.max(quick ? 5 : 15, settings.budgetSeconds - elapsed() - (quick ? 4 : 10));
  progress(`phase 5/7: rebuild of ${events} events into Redis (time cap ${capSeconds.toFixed(0)} s)`);
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const child = fork(join(repoRoot, 'bench', 'rebuild-child.ts'), [], {
    stdio: 'inherit',
    execArgv: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const report = await new Promise<RebuildReport>((resolve, reject) => {
    child.on('message', (message) => {
      const { progress: line, report } = message as { progress?: string; report?: RebuildReport };
      if (line !== undefined) progress(`  ${line}`);
      if (report !== undefined) resolve(report);
    });
    child.once('exit', (code) => reject(new Error(`the rebuild exited with ${code}`)));
    child.send({ storePath, redisUrl, prefix: prefixes.rebuild, capSeconds });
  });
  await waitForExit(child, 10_000);
  const dropped = await deleteKeysWithPrefix(redis!, prefixes.rebuild);
  progress(
    `  ${report.applied}/${report.total} events in ${report.seconds.toFixed(1)} s = ${Math.round(report.eventsPerSecond)}/s${report.capped ? ' (time cap reached)' : ''}; peak RSS ${report.peakRssMb.toFixed(0)} MB; dropped ${dropped} keys`,
  );
  raw.rebuild = report;
  add({
    phase: 5,
    figure: 'rebuild throughput',
    value: round(report.eventsPerSecond),
    unit: 'events/s',
    baseline: null,
    ratio: null,
    target: '≥ 100,000 events/s',
    met: report.eventsPerSecond >= 100_000,
    note: report.capped
      ? `time-capped: ${report.applied} of ${report.total} events in ${report.seconds.toFixed(0)} s (all would take ≈${Math.round(report.total / report.eventsPerSecond)} s)`
      : `${report.applied} events in ${report.seconds.toFixed(1)} s`,
  });
  add({
    phase: 5,
    figure: 'rebuild peak RSS',
    value: round(report.peakRssMb),
    unit: 'MB',
    baseline: round(report.startRssMb),
    ratio: round(report.peakRssMb / report.startRssMb, 2),
    target: '—',
    met: null,
    note: 'baseline: RSS of the rebuild process before it started',
  });
};

/** Phase 7: single-event appends to the embedded store vs a bare single-row INSERT with the same pragmas. */
const phaseAppends = async () => {
  progress('phase 7/7: single-event appends to the SQLite event store vs raw INSERT');
  const store = new SqliteEventStore(join(appendDir, 'events.sqlite'));
  let appended = 0;
  let started = performance.now();
  let deadline = started + settings.appendSeconds * 1000;
  while (performance.now() < deadline) {
    await store.append(
      `bench-${appended}`,
      [
        {
          type: 'OfficeRegistered',
          data: { officeId: `o${appended}`, name: 'Bench' },
          metadata: eventMetadata(),
        },
      ],
      'no-stream',
    );
    appended += 1;
  }
  const storeRate = appended / ((performance.now() - started) / 1000);
  await store.close();
  const db = new DatabaseSync(join(appendDir, 'raw.sqlite'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  migrate(db);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
  );
  let inserted = 0;
  started = performance.now();
  deadline = started + settings.appendSeconds * 1000;
  const data = JSON.stringify({ officeId: 'o', name: 'Bench' });
  while (performance.now() < deadline) {
    insert.run(`raw-${inserted}`, 0, 'OfficeRegistered', data, JSON.stringify(eventMetadata()));
    inserted += 1;
  }
  const rawRate = inserted / ((performance.now() - started) / 1000);
  db.close();
  progress(`  event store ${Math.round(storeRate)} appends/s, raw INSERT ${Math.round(rawRate)}/s`);
  raw.appends = { storeRate, rawRate };
  add({
    phase: 7,
    figure: 'embedded single-event appends',
    value: round(storeRate),
    unit: 'appends/s',
    baseline: round(rawRate),
    ratio: round(storeRate / rawRate, 2),
    target: '—',
    met: null,
    note: 'baseline: autocommit single-row INSERT, WAL + synchronous=FULL',
  });
};

/** Reading `$all` from the seeded store in pages, as the projector and the audit export do; and the hash check. */
const phaseReadAll = async (seededStore: string) => {
  progress('phase 7: $all read rate of the seeded SQLite store, and hash-chain verification');
  const store = new SqliteEventStore(seededStore);
  const started = performance.now();
  let after = 0;
  let read = 0;
  for (;;) {
    const page = await store.readAll(after, 1000);
    const last = page.at(-1);
    if (last === undefined) break;
    read += page.length;
    after = last.position;
  }
  const readRate = read / ((performance.now() - started) / 1000);
  const verifyStarted = performance.now();
  const report = await verifyChains(store);
  const verifyRate = report.eventsChecked / ((performance.now() - verifyStarted) / 1000);
  await store.close();
  progress(
    `  read ${read} events at ${Math.round(readRate)}/s; verified ${report.eventsChecked} at ${Math.round(verifyRate)}/s`,
  );
  add({
    phase: 7,
    figure: 'embedded $all read rate',
    value: round(readRate),
    unit: 'events/s',
    baseline: null,
    ratio: null,
    target: '—',
    met: null,
  });
  add({
    phase: 7,
    figure: 'audit verify (hash chain) rate',
    value: round(verifyRate),
    unit: 'events/s',
    baseline: null,
    ratio: null,
    target: '—',
    met: null,
    note: `SHA-256 over the canonical JSON of every event and its link; ${report.broken.length} broken streams`,
  });
};

// ---------------------------------------------------------------------------------------------- output

const printTable = () => {
  const rows = [
    ['#', 'figure', 'value', 'baseline', 'ratio', 'target', 'met?'],
    ...figures.map((f) => [
      String(f.phase),
      f.figure,
      `${f.value.toLocaleString('en-US')} ${f.unit}`,
      f.baseline === null ? '—' : f.baseline.toLocaleString('en-US'),
      f.ratio === null ? '—' : String(f.ratio),
      f.target,
      f.met === null ? '—' : f.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ];
  process.stdout.write(`\n${out.join('\n')}\n`);
  const notes = figures.filter((f) => f.note !== undefined);
  if (notes.length > 0)
    process.stdout.write(`\nNotes:\n${notes.map((f) => `  ${f.phase} ${f.figure}: ${f.note}`).join('\n')}\n`);
};

const writeResults = () => {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const path = join(dir, `${stamp}${quick ? '-quick' : ''}.json`);
  const summarise = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, inner) =>
        // autocannon results carry per-status maps and histograms; keep them, drop request bodies.
        key === 'requests' && Array.isArray(inner) ? undefined : inner,
      ),
    );
  writeFileSync(
    path,
    `${JSON.stringify(
      {
        startedAt: new Date(Date.now() - elapsed() * 1000).toISOString(),
        quick,
        durationSeconds: round(elapsed(), 1),
        machine: {
          cores,
          cpu: cpus()[0]?.model ?? 'unknown',
          node: process.version,
          platform: process.platform,
        },
        settings: {
          ...settings,
          connections,
          lagRatePerSecond,
          redisUrl: redisUrl.replace(/\/\/[^@]*@/, '//***@'),
        },
        figures,
        raw: summarise(raw),
      },
      null,
      2,
    )}\n`,
  );
  progress(`results written to ${path}`);
};

// ---------------------------------------------------------------------------------------------- main

const main = async () => {
  progress(
    `${quick ? 'quick' : 'full'} run on ${cores} cores, Node ${process.version}, Redis ${redisUrl.replace(/\/\/[^@]*@/, '//***@')}`,
  );
  redis = await connectRedis(redisUrl);

  progress('seed: hashing the shared password with argon2id at the configured cost');
  const passwordHash = await benchPasswordHash();
  const seeded = await seedEventStore(
    join(dataDir, 'events.sqlite'),
    settings.shape,
    keyring,
    passwordHash,
    join(dataDir, 'data-keys.sqlite'),
  );
  progress(
    `seed: ${seeded.users} users (${seeded.enrolled} enrolled) in ${settings.shape.offices} offices = ${seeded.events} events in ${seeded.seconds.toFixed(1)} s`,
  );

  progress(
    'service: starting `node dist/main.js` (the bundle `npm start` runs) on the seeded store with Redis read models',
  );
  const serviceStarted = performance.now();
  const service = await startServiceChild();
  const serviceReadModels = new RedisReadModels(redis, { prefix: prefixes.service });
  let lastLine = performance.now();
  for (;;) {
    const checkpoint = await serviceReadModels.checkpoint();
    if (checkpoint >= seeded.events) break;
    if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.logs.join('')}`);
    if (performance.now() - lastLine > 5_000) {
      lastLine = performance.now();
      progress(`service: projection at ${checkpoint}/${seeded.events}`);
    }
    await sleep(20);
  }
  const catchUpSeconds = (performance.now() - serviceStarted) / 1000;
  progress(
    `service: start-up with Redis read models, ${seeded.events} events projected, in ${catchUpSeconds.toFixed(1)} s (${Math.round(seeded.events / catchUpSeconds)}/s)`,
  );
  const rebuildPath = join(rebuildDir, 'events.sqlite');
  const rebuildSource = join(rebuildDir, 'source.sqlite');
  await seedEventStore(rebuildSource, settings.shape, keyring, passwordHash, null);
  const rebuildSeeded = copyStoreScaled(rebuildSource, rebuildPath, settings.rebuildEvents);
  progress(
    `seed: rebuild store of ${rebuildSeeded.events} events (copies of the seeded events) in ${rebuildSeeded.seconds.toFixed(1)} s`,
  );
  raw.catchUp = { events: seeded.events, seconds: catchUpSeconds };

  await sleep(1_000);
  const idleRss = rssOf(service.child.pid!) ?? Number.NaN;
  let peakLoadRss = idleRss;
  const rssSampler = setInterval(() => {
    peakLoadRss = Math.max(peakLoadRss, rssOf(service.child.pid!) ?? 0);
  }, 100);

  // Baseline values: as many keys as offices, each the size of a real user document.
  const users = usersOf(settings.shape);
  const sample = await serviceReadModels.loginByUserId(users.enrolled[0]!.userId);
  const sampleJson = JSON.stringify({ ...sample?.user, pending: null, office: sample?.office });
  const baselineKeys = 1_000;
  const write = redis.pipeline();
  for (let i = 0; i < baselineKeys; i += 1) write.set(`${prefixes.baseline}${i}`, sampleJson);
  await write.exec();
  const baselineServer = await startBaselineChild(baselineKeys);
  progress(`baseline: bare Fastify route at ${baselineServer.url}, values of ${sampleJson.length} bytes`);

  const baseline = await phaseLoginRequirements(service, baselineServer.url, users.all);
  await stopChild(baselineServer.child);
  await phaseSecondFactor(service, baseline, users.enrolled);
  await phasePasswordLogins(service, users.passwordOnly, passwordHash);

  clearInterval(rssSampler);
  progress('phase 6/7: service RSS (child process, /proc/<pid>/status)');
  const hwm = rssOf(service.child.pid!, 'VmHWM');
  progress(
    `  idle ${mb(idleRss).toFixed(0)} MB, peak under load ${mb(peakLoadRss).toFixed(0)} MB, high-water mark ${hwm === null ? '?' : mb(hwm).toFixed(0)} MB`,
  );
  raw.serviceRss = {
    idleMb: mb(idleRss),
    peakUnderLoadMb: mb(peakLoadRss),
    highWaterMb: hwm === null ? null : mb(hwm),
  };
  add({
    phase: 6,
    figure: `service RSS idle (${seeded.users.toLocaleString('en-US')} users)`,
    value: round(mb(idleRss)),
    unit: 'MB',
    baseline: null,
    ratio: null,
    target: '≤ 150 MB',
    met: mb(idleRss) <= 150,
  });
  add({
    phase: 6,
    figure: 'service RSS under load (peak)',
    value: round(mb(peakLoadRss)),
    unit: 'MB',
    baseline: round(mb(idleRss)),
    ratio: round(peakLoadRss / idleRss, 2),
    target: '≤ 150 MB',
    met: mb(peakLoadRss) <= 150,
    note: `sampled every 100 ms during phases 1-3; VmHWM incl. catch-up ${hwm === null ? '?' : mb(hwm).toFixed(0)} MB`,
  });

  raw.serviceLog = { bytes: service.logBytes.count, last: service.logs.join('').slice(-2_000) };
  if (service.logBytes.count > 0)
    progress(
      `service: wrote ${service.logBytes.count} bytes of log (LOG_LEVEL=warn); last: ${service.logs.at(-1)?.trim().slice(0, 300)}`,
    );
  progress('service: stopping');
  service.child.kill('SIGTERM');
  await waitForExit(service.child, 10_000);
  await deleteKeysWithPrefix(redis, prefixes.service);
  await phaseEmbeddedStartup(seeded.events, seeded.users);

  await phaseProjectionLag();
  await phaseAppends();
  await phaseReadAll(join(dataDir, 'events.sqlite'));
  await phaseRebuild(rebuildPath, rebuildSeeded.events);

  figures.sort((a, b) => a.phase - b.phase);
  printTable();
  writeResults();
};

try {
  await main();
} catch (error) {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await cleanUp();
  progress('done');
}
