import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { findTestRedis, noRedisReason } from '../support/redis.ts';
import { scaleOutScenario, scaleOutSecretKeys } from '../support/scale-out-scenario.ts';
import { serviceVault } from '../support/vault.ts';

const server = await findTestRedis();
if (server === null) console.warn(`Scale-out test ${noRedisReason}`);

scaleOutScenario('three instances, one Redis, one event store', server, async (dataDir) => ({
  env: {},
  open: () => new SqliteEventStore(join(dataDir, 'events.sqlite')),
  vault: () => serviceVault(dataDir, scaleOutSecretKeys),
}));
