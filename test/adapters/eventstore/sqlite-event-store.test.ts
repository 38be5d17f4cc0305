import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { eventStoreContract } from '../../contracts/event-store.contract.ts';

eventStoreContract('SQLite (node:sqlite, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'second-factor-sqlite-'));
  return {
    store: new SqliteEventStore(join(dir, 'events.sqlite')),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
