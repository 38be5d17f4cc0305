/** Phase 7: single-event appends to the embedded store vs a bare single-row INSERT with the same pragmas. */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from '../../src/adapters/eventstore/sqlite/schema.ts';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import type { Phase } from '../harness/phase.ts';
import { progress, round, settings } from '../harness/settings.ts';
import { eventMetadata } from '../seed.ts';

export const appends: Phase = {
  number: 7,
  name: 'appends',
  stage: 'alone',
  run: async (bench) => {
    progress('phase 7/7: single-event appends to the SQLite event store vs raw INSERT');
    const store = new SqliteEventStore(join(bench.dirs.append, 'events.sqlite'));
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
    const db = new DatabaseSync(join(bench.dirs.append, 'raw.sqlite'));
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
    bench.raw.appends = { storeRate, rawRate };
    return [
      {
        figure: 'embedded single-event appends',
        value: round(storeRate),
        unit: 'appends/s',
        baseline: round(rawRate),
        ratio: round(storeRate / rawRate, 2),
        target: '—',
        met: null,
        note: 'baseline: autocommit single-row INSERT, WAL + synchronous=FULL',
      },
    ];
  },
};
