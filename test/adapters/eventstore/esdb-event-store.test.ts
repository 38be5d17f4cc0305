import { describe, it } from 'vitest';
import { EsdbDataKeyStore } from '../../../src/adapters/eventstore/esdb/esdb-data-key-store.ts';
import { EsdbEventStore } from '../../../src/adapters/eventstore/esdb/esdb-event-store.ts';
import { dataKeyStoreContract } from '../../contracts/data-key-store.contract.ts';
import { eventStoreContract, type StoreUnderTest } from '../../contracts/event-store.contract.ts';
import { dockerEngineAnswers } from '../../support/docker.ts';

const image = 'kurrentplatform/kurrentdb:26.1.1';

const fromUrl = (url: string) => async (): Promise<StoreUnderTest> => ({ store: new EsdbEventStore(url) });

const startServer = async () => {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(image)
    .withEnvironment({
      KURRENTDB_INSECURE: 'true',
      KURRENTDB_RUN_PROJECTIONS: 'None',
      KURRENTDB_MEM_DB: 'true',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
    .start();
  const url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
  return { url, dispose: async () => void (await container.stop()) };
};

const fromContainer = async (): Promise<StoreUnderTest> => {
  const { url, dispose } = await startServer();
  return { store: new EsdbEventStore(url), dispose };
};

const keysFromUrl = (url: string) => async () => ({
  store: new EsdbDataKeyStore(url),
  reopen: async () => new EsdbDataKeyStore(url),
});

const keysFromContainer = async () => {
  const { url, dispose } = await startServer();
  return { ...(await keysFromUrl(url)()), dispose };
};

const url = process.env.EVENTSTORE_URL;
const docker = url === undefined && (await dockerEngineAnswers());

if (url !== undefined) {
  eventStoreContract(`EventStoreDB at EVENTSTORE_URL`, fromUrl(url));
  dataKeyStoreContract(`EventStoreDB at EVENTSTORE_URL`, keysFromUrl(url), { persistent: true });
} else if (docker) {
  eventStoreContract(`EventStoreDB (${image} via testcontainers)`, fromContainer);
  dataKeyStoreContract(`EventStoreDB (${image} via testcontainers)`, keysFromContainer, { persistent: true });
} else {
  const reason =
    'EventStoreDB contract suites (event store, data keys) SKIPPED: EVENTSTORE_URL is not set and no Docker engine answers. ' +
    'Run `docker compose up -d eventstore` and `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`.';
  console.warn(reason);
  describe('EventStore and DataKeyStore contracts: EventStoreDB', () => {
    it.skip(reason, () => {});
  });
}
