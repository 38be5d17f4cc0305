/**
 * Phase 10: a command's cost does not grow with the user's history (snapshots). On its own small store:
 * the code step (POST /v1/login/second-factor) of users with 10 prior events against users with 10,000,
 * in the same run, one request at a time; then, in the bench process, loading the user-security aggregate
 * at 10 / 1,000 / 10,000 events as a full fold and from a snapshot with the most events after it (99).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { generateSync } from 'otplib';
import { RandomTokens } from '../../src/adapters/crypto/random-tokens.ts';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { RedisSessionStore } from '../../src/adapters/redis/redis-session-store.ts';
import { eventHash } from '../../src/application/audit-chain/hash-chain.ts';
import { foldStream, keepSnapshotWhenDue, loadAggregate } from '../../src/application/load-aggregate.ts';
import { type EventType, eventSchemaVersion } from '../../src/domain/events.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { userSecurityDecider } from '../../src/domain/user-security/index.ts';
import type { Figure } from '../harness/figures.ts';
import { percentile } from '../harness/load.ts';
import type { Phase } from '../harness/phase.ts';
import { waitForExit } from '../harness/processes.ts';
import { startServiceChild } from '../harness/service.ts';
import { progress, quick, redisUrl, round, sleep } from '../harness/settings.ts';
import { eventMetadata, isEnrolled, seedEventStore, totpSecretOf, userIdOf } from '../seed.ts';

const shortHistory = 10;
const longHistory = 10_000;
/** Users per group: each gives two measured code steps (the codes of two consecutive steps). */
const groupSize = quick ? 12 : 30;
const foldSizes = [10, 1_000, 10_000];
const stepSeconds = 30;

const currentStep = () => Math.floor(Date.now() / 1000 / stepSeconds);

/**
 * Rewrites a seeded user's security stream as `total` events of a long-time user: enrolled long ago,
 * then logins with ever newer time steps, every tenth preceded by a mistyped code. Chained like the
 * service chains, so `audit verify` and the next append see a sound stream.
 */
const writeHistory = (db: DatabaseSync, userId: string, total: number) => {
  const stream = userSecurityStream(userId);
  const first = db
    .prepare('SELECT metadata FROM events WHERE stream_id = ? AND revision = 0')
    .get(stream) as { metadata: string };
  let previousHash = (JSON.parse(first.metadata) as { hash: string }).hash;
  db.prepare('DELETE FROM events WHERE stream_id = ? AND revision > 0').run(stream);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
  );
  let step = currentStep() - 2 * total - 10;
  const put = (revision: number, type: string, data: unknown) => {
    const metadata = { ...eventMetadata(eventSchemaVersion[type as EventType]), previousHash };
    const hash = eventHash({ streamId: stream, revision, type, data, metadata });
    previousHash = hash;
    insert.run(stream, revision, type, JSON.stringify(data), JSON.stringify({ ...metadata, hash }));
  };
  put(1, 'TotpEnrolled', {
    userId,
    enrollmentId: `e-${userId}`,
    enrolledAt: new Date(step * stepSeconds * 1000).toISOString(),
    acceptedStep: step,
  });
  for (let revision = 2; revision < total; revision += 1) {
    if (revision % 10 === 5) {
      put(revision, 'SecondFactorRejected', { userId, reason: 'invalid-code', consecutiveFailures: 1 });
    } else {
      step += 2;
      put(revision, 'SecondFactorVerified', { userId, method: 'totp', timeStep: step });
    }
  }
};

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const p90 = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    90,
  );
const ms = (value: number) => round(value, 2);

/** Median time of `work` over `times` runs, in ms. */
const timeOf = async (times: number, work: () => Promise<unknown>) => {
  const samples: number[] = [];
  for (let run = 0; run < times; run += 1) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return median(samples);
};

export const longHistoryPhase: Phase = {
  number: 10,
  name: 'long-history',
  stage: 'alone',
  run: async (bench) => {
    progress(
      `phase 10: code step with ${shortHistory} vs ${longHistory.toLocaleString('en-US')} prior events (${groupSize} users each), and aggregate loads`,
    );
    const dir = join(bench.dirs.work, 'long-history');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'events.sqlite');
    // Enrolled users are the even ones: two groups for the code step, then one per fold size.
    const users = 2 * (2 * groupSize + foldSizes.length);
    await seedEventStore(
      path,
      { offices: 1, usersPerOffice: users },
      bench.keyring,
      bench.passwordHash,
      join(dir, 'data-keys.sqlite'),
    );
    const enrolled = Array.from({ length: users }, (_, u) => u)
      .filter(isEnrolled)
      .map((u) => userIdOf(0, u));
    const short = enrolled.slice(0, groupSize);
    const long = enrolled.slice(groupSize, 2 * groupSize);
    const folding = enrolled.slice(2 * groupSize);
    const started = performance.now();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN');
    for (const userId of short) writeHistory(db, userId, shortHistory);
    for (const userId of long) writeHistory(db, userId, longHistory);
    for (const [index, size] of foldSizes.entries()) writeHistory(db, folding[index]!, size);
    db.exec('COMMIT');
    const head = (db.prepare('SELECT MAX(position) AS head FROM events').get() as { head: number }).head;
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
    progress(
      `  wrote the histories (head ${head}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const prefix = `${bench.keyBase}long:`;
    const service = await startServiceChild({
      dataDir: dir,
      redis: { url: redisUrl, prefix },
      secretKeys: bench.secretKeys,
      platformApiKey: bench.platformApiKey,
    });
    // Ready only once a complete set of read models of this store serves (its build reached the head).
    while (
      !(await fetch(`${service.url}/readyz`).then(
        (reply) => reply.ok,
        () => false,
      ))
    ) {
      if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.logs.join('')}`);
      await sleep(20);
    }
    const sessions = new RedisSessionStore(bench.redis, prefix, new RandomTokens());
    /** One code step of `userId` with the code of `step`, timed from request to answer. */
    const codeStep = async (userId: string, step: number) => {
      const challenge = await sessions.createChallenge(
        { userId, kind: 'second-factor', createdAt: new Date().toISOString() },
        600,
      );
      const code = generateSync({ secret: totpSecretOf(userId), epoch: step * stepSeconds });
      const sent = performance.now();
      const reply = await fetch(`${service.url}/v1/login/second-factor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challenge, code }),
      });
      const elapsedMs = performance.now() - sent;
      if (!reply.ok)
        throw new Error(`code step of ${userId} answered ${reply.status}: ${await reply.text()}`);
      await reply.arrayBuffer();
      return elapsedMs;
    };
    const timings = { short: [] as number[], long: [] as number[] };
    const firsts = { short: [] as number[], long: [] as number[] };
    try {
      // Three rounds within the codes' window: the step before now, now, and the next step.
      while ((Date.now() / 1000) % stepSeconds > stepSeconds - 20) await sleep(200);
      const now = currentStep();
      for (const [pass, step] of [now - 1, now, now + 1].entries()) {
        for (let index = 0; index < groupSize; index += 1) {
          // Alternating, so drift in the machine's load falls on both groups alike.
          const shortMs = await codeStep(short[index]!, step);
          const longMs = await codeStep(long[index]!, step);
          // The first round is each user's first command since the history was written: no snapshot
          // yet, so the long stream is folded whole once (and a snapshot written); measured apart.
          (pass === 0 ? firsts : timings).short.push(shortMs);
          (pass === 0 ? firsts : timings).long.push(longMs);
        }
      }
    } finally {
      service.child.kill('SIGTERM');
      await waitForExit(service.child, 10_000);
    }
    const ratio = median(timings.long) / median(timings.short);
    progress(
      `  code step median ${ms(median(timings.short))} ms (${shortHistory} events) vs ${ms(median(timings.long))} ms (${longHistory}): ratio ${round(ratio, 2)}`,
    );

    const store = new SqliteEventStore(path);
    const loads: Figure[] = [];
    try {
      for (const [index, size] of foldSizes.entries()) {
        const stream = userSecurityStream(folding[index]!);
        const times = Math.max(5, Math.min(200, Math.round(20_000 / size)));
        const fullMs = await timeOf(times, async () =>
          foldStream(userSecurityDecider, await store.readStreamAfter(stream, -1)),
        );
        // The most a command ever folds after a snapshot: 99 events (one is written every 100).
        const events = await store.readStreamAfter(stream, -1);
        const covered = events.length - 100;
        if (covered >= 0) {
          await keepSnapshotWhenDue(
            store,
            userSecurityDecider,
            stream,
            {
              state: foldStream(userSecurityDecider, events.slice(0, covered + 1)),
              last: events[covered],
              snapshotRevision: -1,
            },
            1,
          );
        }
        const snapshotMs = await timeOf(times, () => loadAggregate(store, userSecurityDecider, stream));
        progress(
          `  load at ${size} events: full fold ${ms(fullMs)} ms, snapshot + tail ${ms(snapshotMs)} ms`,
        );
        loads.push({
          figure: `user-security load at ${size.toLocaleString('en-US')} events (SQLite)`,
          value: ms(snapshotMs),
          unit: 'ms',
          baseline: ms(fullMs),
          ratio: round(snapshotMs / fullMs, 3),
          target: '—',
          met: null,
          note:
            covered >= 0
              ? `value: snapshot + the ${events.length - 1 - covered} events after it (the most there are); baseline: read + fold of all ${size}; median of ${times}`
              : `no snapshot below 100 events: both are read + fold of all ${size}; median of ${times}`,
        });
      }
    } finally {
      await store.close();
    }
    bench.raw.longHistory = { groupSize, timings, firsts };
    return [
      {
        figure: 'code step with long history',
        value: ms(median(timings.long)),
        unit: 'ms',
        baseline: ms(median(timings.short)),
        ratio: round(ratio, 3),
        target: 'ratio ≤ 1.2',
        met: ratio <= 1.2,
        note:
          `POST /v1/login/second-factor one at a time, median of ${timings.long.length} per group; value: users with ` +
          `${longHistory.toLocaleString('en-US')} prior events, baseline: ${shortHistory}; p90 ${ms(p90(timings.long))} vs ` +
          `${ms(p90(timings.short))} ms. First command after the history was written (no snapshot yet, folds all and ` +
          `writes one): ${ms(median(firsts.long))} vs ${ms(median(firsts.short))} ms`,
      },
      ...loads,
    ];
  },
};
