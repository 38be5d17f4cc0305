import { afterAll, describe, it } from 'vitest';
import { PostgresDataKeyStore } from '../../../src/adapters/eventstore/postgres/postgres-data-key-store.ts';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { dataKeyStoreContract } from '../../contracts/data-key-store.contract.ts';
import { eventStoreContract } from '../../contracts/event-store.contract.ts';
import { noPostgresReason, postgresAnswers, privateDatabase } from '../../support/postgres.ts';

if (postgresAnswers) {
  const database = await privateDatabase('contracts');
  afterAll(() => database.drop());
  eventStoreContract('PostgreSQL', async () => ({ store: new PostgresEventStore(database.url) }));
  dataKeyStoreContract(
    'PostgreSQL',
    async () => ({
      store: new PostgresDataKeyStore(database.url),
      reopen: async () => new PostgresDataKeyStore(database.url),
    }),
    { persistent: true },
  );
} else {
  console.warn(`PostgreSQL contract suites (event store, data keys) ${noPostgresReason}`);
  describe('EventStore and DataKeyStore contracts: PostgreSQL', () => {
    it.skip(noPostgresReason, () => {});
  });
}
