import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { PostgresDataKeyStore } from '../../src/adapters/eventstore/postgres/postgres-data-key-store.ts';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { officeStream } from '../../src/domain/office/events.ts';
import { httpClient } from '../support/http-client.ts';
import { noPostgresReason, postgresAnswers, privateDatabase, testPostgresUrl } from '../support/postgres.ts';
import { findTestRedis, noRedisReason } from '../support/redis.ts';
import { scaleOutScenario, scaleOutSecretKeys, type WhileLoggingIn } from '../support/scale-out-scenario.ts';
import { vaultOver } from '../support/vault.ts';

const server = postgresAnswers ? await findTestRedis() : null;
if (!postgresAnswers) console.warn(`Scale-out test on PostgreSQL ${noPostgresReason}`);
else if (server === null) console.warn(`Scale-out test on PostgreSQL ${noRedisReason}`);

/** Why this machine's PostgreSQL cannot be restarted by the test, or null when it can. */
const whyNoRestart = (): string | null => {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (spawnSync('pg_ctlcluster', ['--help']).error !== undefined) return 'pg_ctlcluster is not installed';
  const url = new URL(testPostgresUrl);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname) || (url.port || '5432') !== '5432')
    return `the test server (${url.host}) is not this machine's cluster 15/main`;
  const clusters = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }).stdout ?? '';
  if (!/^15\s+main\s+5432\s+online/m.test(clusters)) return 'cluster 15/main is not online on port 5432';
  return null;
};

let databaseUrl = '';

const pgCluster = (action: 'stop' | 'start'): Promise<number | null> => {
  const child = spawn('pg_ctlcluster', ['15', 'main', action], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', resolve));
};

/** Commands through the survivors while PostgreSQL is stopped and started: 503 while it is down, then by themselves 201. */
const restartDuringCommands = async ({ survivors, apiKey, loginsAnswered }: WhileLoggingIn) => {
  const reason = whyNoRestart();
  if (reason !== null) {
    console.warn(`Scale-out on PostgreSQL: the PostgreSQL restart part SKIPPED: ${reason}`);
    return;
  }
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let restarted = false;
  let createdAfterRestart = 0;
  let sending = true;
  const commands = (async () => {
    for (let n = 0; sending; n += 1) {
      const api = httpClient(survivors[n % survivors.length]!.url);
      const reply = await api
        .post('/v1/platform/offices', { name: `Restart office ${n}` }, { apiKey })
        .catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status === 201) {
        acknowledged.push(reply.body.officeId as string);
        if (restarted) createdAfterRestart += 1;
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  while (acknowledged.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
  const loginsBefore = loginsAnswered();
  // Stopped and started apart, so the test sees the server down for as long as it needs to, however slow
  // the machine: one command held through a quick restart would otherwise see no outage at all.
  const stopCode = await pgCluster('stop');
  for (let waited = 0; waited < 300 && (statuses.get(503) ?? 0) === 0; waited += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const exitCode = stopCode === 0 ? await pgCluster('start') : stopCode;
  restarted = true;
  const loginsDuring = loginsAnswered() - loginsBefore;
  for (let waited = 0; waited < 300 && createdAfterRestart < 3; waited += 1)
    await new Promise((resolve) => setTimeout(resolve, 100));
  sending = false;
  await commands;
  console.log(
    `scale-out on PostgreSQL: restart exit ${exitCode}; command replies ${JSON.stringify(Object.fromEntries(statuses))}; ` +
      `${loginsDuring} logins answered during the restart; ${acknowledged.length} offices acknowledged`,
  );
  expect(exitCode).toBe(0);
  expect([...statuses.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([]);
  expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
  expect(createdAfterRestart).toBeGreaterThanOrEqual(3);
  expect(loginsDuring).toBeGreaterThan(0);

  const store = new PostgresEventStore(databaseUrl);
  try {
    const missing: string[] = [];
    for (const officeId of acknowledged)
      if ((await store.readStream(officeStream(officeId))).length === 0) missing.push(officeId);
    expect(missing).toEqual([]);
  } finally {
    await store.close();
  }
};

scaleOutScenario(
  'three instances on PostgreSQL and Redis',
  postgresAnswers ? server : null,
  async () => {
    const database = await privateDatabase('scale_out');
    databaseUrl = database.url;
    const keys = new PostgresDataKeyStore(database.url);
    return {
      env: { DATABASE_URL: database.url },
      open: () => new PostgresEventStore(database.url),
      vault: () => vaultOver(keys, scaleOutSecretKeys),
      dispose: async () => {
        await keys.close();
        await database.drop();
      },
    };
  },
  restartDuringCommands,
);
