import { describe, it } from 'vitest';
import { EsdbEventStore } from '../../../src/adapters/eventstore/esdb/esdb-event-store.ts';
import { eventStoreContract, type StoreUnderTest } from '../../contracts/event-store.contract.ts';
import { dockerEngineAnswers } from '../../support/docker.ts';

const image = 'kurrentplatform/kurrentdb:26.1.1';

const fromUrl = (url: string) => async (): Promise<StoreUnderTest> => ({ store: new EsdbEventStore(url) });

const fromContainer = async (): Promise<StoreUnderTest> => {
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
  return { store: new EsdbEventStore(url), dispose: async () => void (await container.stop()) };
};

const url = process.env.EVENTSTORE_URL;
const docker = url === undefined && (await dockerEngineAnswers());

if (url !== undefined) eventStoreContract(`EventStoreDB at EVENTSTORE_URL`, fromUrl(url));
else if (docker) eventStoreContract(`EventStoreDB (${image} via testcontainers)`, fromContainer);
else {
  const reason =
    'EventStoreDB contract suite SKIPPED: EVENTSTORE_URL is not set and no Docker engine answers. ' +
    'Run `docker compose up -d eventstore` and `EVENTSTORE_URL=esdb://localhost:2113?tls=false npm test`.';
  console.warn(reason);
  describe('EventStore contract: EventStoreDB', () => {
    it.skip(reason, () => {});
  });
}
