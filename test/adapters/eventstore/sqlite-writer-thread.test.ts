import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { EventStoreUnavailableError } from '../../../src/application/ports/event-store.ts';
import { anEvent, uniqueStream } from '../../support/events.ts';

const dir = mkdtempSync(join(tmpdir(), 'second-factor-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repoRoot = join(import.meta.dirname, '..', '..', '..');

describe('SQLite writes on their own thread', () => {
  it('commits from the production bundle too (the thread gets only its own code, no bundler helpers)', async () => {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { SqliteEventStore } from ${JSON.stringify(join(repoRoot, 'src/adapters/eventstore/sqlite/sqlite-event-store.ts'))};
const store = new SqliteEventStore(process.argv[2]);
const appended = await store.append('bundle-1', [{ type: 'OfficeRegistered', data: { n: 1 }, metadata: {} }], 'no-stream');
const read = await store.readStreamAfter('bundle-1', -1);
await store.close();
process.stdout.write(JSON.stringify({ appended, data: read.map((event) => event.data) }));
`,
    );
    // The flags of `npm run build` (see package.json), but with the packages inside: the output lives
    // outside the repository, where none could be found.
    await build({
      entryPoints: [entry],
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      outdir: join(dir, 'dist'),
      logLevel: 'warning',
    });
    const output = execFileSync(
      process.execPath,
      [join(dir, 'dist', 'entry.js'), join(dir, 'bundled.sqlite')],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(output)).toEqual({ appended: { revision: 0, position: 1 }, data: [{ n: 1 }] });
  }, 30_000);

  it('fails one append of a batch alone: the others of the same commit are kept', async () => {
    const path = join(dir, 'one-fails.sqlite');
    const store = new SqliteEventStore(path);
    const refused = uniqueStream('refused');
    const direct = new DatabaseSync(path);
    direct.exec(`CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.stream_id = '${refused}'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    direct.close();
    const kept = [uniqueStream('kept'), uniqueStream('kept')];
    const outcomes = await Promise.allSettled([
      store.append(kept[0]!, [anEvent({ n: 0 })], 'no-stream'),
      store.append(refused, [anEvent({ n: 1 })], 'no-stream'),
      store.append(kept[1]!, [anEvent({ n: 2 })], 'no-stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('refused by the test');
    expect(await store.readStreamAfter(refused, -1)).toEqual([]);
    for (const stream of kept) expect(await store.readStreamAfter(stream, -1)).toHaveLength(1);
    await store.close();
  });

  it('answers the append already sent to the thread when closed, and refuses the one still queued', async () => {
    const path = join(dir, 'close.sqlite');
    const store = new SqliteEventStore(path);
    const stream = uniqueStream();
    await store.append(stream, [anEvent({ n: 0 })], 'no-stream');
    const sent = store.append(stream, [anEvent({ n: 1 })], 0);
    // With nothing in flight an append goes to the thread at once: `sent` is in flight from here on.
    await new Promise((resolve) => setImmediate(resolve));
    const queued = expect(store.append(stream, [anEvent({ n: 2 })], 1)).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    await store.close();
    await expect(sent).resolves.toEqual({ revision: 1, position: 2 });
    await queued;
    const reopened = new SqliteEventStore(path);
    expect((await reopened.readStreamAfter(stream, -1)).map((event) => event.data)).toEqual([
      { n: 0 },
      { n: 1 },
    ]);
    await reopened.close();
  });
});
