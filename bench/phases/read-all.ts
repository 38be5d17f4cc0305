/** Phase 7: reading `$all` from the seeded store in pages, as the projector and the audit export do; and the hash check. */
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { verifyChains } from '../../src/application/audit-chain/verify-chain.ts';
import type { Phase } from '../harness/phase.ts';
import { progress, round } from '../harness/settings.ts';

export const readAll: Phase = {
  number: 7,
  name: 'read-all',
  stage: 'alone',
  run: async (bench) => {
    progress('phase 7: $all read rate of the seeded SQLite store, and hash-chain verification');
    const store = new SqliteEventStore(join(bench.dirs.service, 'events.sqlite'));
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
    return [
      {
        figure: 'embedded $all read rate',
        value: round(readRate),
        unit: 'events/s',
        baseline: null,
        ratio: null,
        target: '—',
        met: null,
      },
      {
        figure: 'audit verify (hash chain) rate',
        value: round(verifyRate),
        unit: 'events/s',
        baseline: null,
        ratio: null,
        target: '—',
        met: null,
        note: `SHA-256 over the canonical JSON of every event and its link; ${report.broken.length} broken streams`,
      },
    ];
  },
};
