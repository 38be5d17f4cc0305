import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'second-factor-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the appender until it has acknowledged `acks` appends, then kills it with SIGKILL. */
const appendThenKill = (path: string, acks: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures/append-until-killed.ts'), path],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let lastAck = -1;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastAck = Number(line.replace('ack ', ''));
      if (lastAck >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL'
        ? resolve(lastAck)
        : reject(new Error(`appender ended without SIGKILL (${signal})`)),
    );
  });

describe('S16 SQLite event store durability: nothing half-written', () => {
  it('keeps every acknowledged append, whole, after the writer is killed with SIGKILL', async () => {
    const path = join(dir, 'events.sqlite');
    const lastAck = await appendThenKill(path, 300);
    const store = new SqliteEventStore(path);
    const events = await store.readAll(0, 100_000);
    await store.close();

    const appends = new Map<number, string[]>();
    for (const event of events) {
      const { n, half } = event.data as { n: number; half: string };
      appends.set(n, [...(appends.get(n) ?? []), half]);
    }
    for (let n = 0; n <= lastAck; n += 1) expect(appends.get(n), `append ${n}`).toEqual(['first', 'second']);
    for (const halves of appends.values()) expect(halves).toEqual(['first', 'second']);
    expect(events.map((event) => event.position)).toEqual(events.map((_, index) => index + 1));
  }, 60_000);
});

describe('SQLite files shared by several processes', () => {
  const processes = 12;
  const rounds = 3;

  it(`lets ${processes} processes create and open the same new store and key file at the same moment, ${rounds} times`, async () => {
    const children = Array.from({ length: processes }, (_, index) =>
      fork(
        join(import.meta.dirname, 'fixtures/open-at-once.ts'),
        [`p${index}`, index % 2 === 0 ? 'events-first' : 'keys-first'],
        { stdio: 'inherit' },
      ),
    );
    const nextMessage = (child: ChildProcess) =>
      new Promise<unknown>((resolve) => {
        child.once('message', resolve);
        child.once('exit', (code) => resolve({ ok: false, error: `exited with ${code}` }));
      });
    try {
      await Promise.all(children.map(nextMessage));
      for (let round = 0; round < rounds; round += 1) {
        const shared = mkdtempSync(join(dir, `at-once-${round}-`));
        const answers = children.map(nextMessage);
        for (const child of children) child.send({ dir: shared });
        expect(await Promise.all(answers), `round ${round}`).toEqual(children.map(() => ({ ok: true })));

        const store = new SqliteEventStore(join(shared, 'events.sqlite'));
        expect(await store.headPosition()).toBe(processes);
        await store.close();
        const files = new DatabaseSync(join(shared, 'events.sqlite'));
        expect(files.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 1 }]);
        files.close();
        const keys = new DatabaseSync(join(shared, 'data-keys.sqlite'));
        expect(keys.prepare('SELECT COUNT(*) AS n FROM data_keys').get()).toEqual({ n: processes });
        keys.close();
      }
    } finally {
      for (const child of children) if (child.connected) child.send('stop');
    }
  }, 60_000);
});
