/**
 * What every phase gets: the run's Redis connection and key prefixes, its directories and keys, the
 * seeded store and its users, the service (during the 'service' stage) and the bare-route baseline.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Keyring } from '../../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { deleteKeysWithPrefix } from '../../src/adapters/redis/connect-redis.ts';
import {
  isEnrolled,
  makeKeyring,
  officeRequires2fa,
  type SeedResult,
  type SeedShape,
  totpSecretOf,
  userIdOf,
  usernameOf,
} from '../seed.ts';
import type { BareRouteResult } from './bare-route.ts';
import { stopAllChildren } from './processes.ts';
import { type Service, startServiceChild } from './service.ts';
import { progress, redisUrl } from './settings.ts';

/** All user ids of a shape, split the way the phases use them. */
export const usersOf = (shape: SeedShape) => {
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

export type Bench = {
  redis: Redis;
  /** Every key of the run lives under `keyBase`; one prefix per user of Redis. */
  keyBase: string;
  prefixes: { service: string; baseline: string; lag: string; rebuild: string };
  dirs: { work: string; service: string; lag: string; rebuild: string; append: string };
  platformApiKey: string;
  keyring: Keyring;
  secretKeys: string;
  /** The argon2id hash every seeded user shares (of `benchPassword`). */
  passwordHash: string;
  /** The service's store (`dirs.service`/events.sqlite) as seeded. */
  seeded: SeedResult;
  users: ReturnType<typeof usersOf>;
  /** Per-phase raw data for the results file. */
  raw: Record<string, unknown>;
  /** The seeded service with Redis read models, caught up; set during the 'service' stage only. */
  service: Service | null;
  /** RSS of that service: when it had caught up (idle) and the peak since, sampled every 100 ms. */
  serviceRss: { idle: number; peak: number };
  /** Starts another service process on the seeded store (Redis read models under `prefix`, or embedded). */
  startService: (redis: { prefix: string } | null) => Promise<Service>;
  /** The bare-route baseline (see bare-route.ts), measured once per run on first use. */
  bareRoute: () => Promise<BareRouteResult>;
  /** The bare durable route (see bare-route.ts), measured once per run on first use, after `bareRoute`. */
  durableBareRoute: () => Promise<BareRouteResult>;
  /** The bare route with the login check's kept behaviours (see bare-route.ts), likewise. */
  keptBareRoute: () => Promise<BareRouteResult>;
  /** The bare durable route with the behaviours kept on every answer (see bare-route.ts), likewise. */
  keptDurableBareRoute: () => Promise<BareRouteResult>;
};

export type BenchSetup = Omit<
  Bench,
  | 'passwordHash'
  | 'seeded'
  | 'users'
  | 'service'
  | 'bareRoute'
  | 'durableBareRoute'
  | 'keptBareRoute'
  | 'keptDurableBareRoute'
>;

export const createBenchSetup = (redis: Redis): BenchSetup & { cleanUp: () => Promise<void> } => {
  const runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const keyBase = `bench-${runId}:`;
  const work = mkdtempSync(join(tmpdir(), 'second-factor-bench-'));
  const dirs = {
    work,
    service: join(work, 'service'),
    lag: join(work, 'lag'),
    rebuild: join(work, 'rebuild'),
    append: join(work, 'append'),
  };
  for (const dir of [dirs.service, dirs.lag, dirs.rebuild, dirs.append]) mkdirSync(dir, { recursive: true });
  const platformApiKey = randomBytes(32).toString('base64url');
  const { keyring, secretKeys } = makeKeyring();
  return {
    redis,
    keyBase,
    prefixes: {
      service: `${keyBase}svc:`,
      baseline: `${keyBase}base:`,
      lag: `${keyBase}lag:`,
      rebuild: `${keyBase}rebuild:`,
    },
    dirs,
    platformApiKey,
    keyring,
    secretKeys,
    raw: {},
    serviceRss: { idle: Number.NaN, peak: Number.NaN },
    startService: (target) =>
      startServiceChild({
        dataDir: dirs.service,
        redis: target === null ? null : { url: redisUrl, prefix: target.prefix },
        secretKeys,
        platformApiKey,
      }),
    cleanUp: async () => {
      await stopAllChildren();
      const dropped = await deleteKeysWithPrefix(redis, keyBase).catch(() => 0);
      progress(`dropped ${dropped} Redis keys under ${keyBase}`);
      redis.disconnect();
      rmSync(work, { recursive: true, force: true });
    },
  };
};
