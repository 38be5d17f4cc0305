import { MemoryEventStore } from '../../../src/adapters/eventstore/memory/memory-event-store.ts';
import { eventStoreContract } from '../../contracts/event-store.contract.ts';

eventStoreContract('in-memory', async () => ({ store: new MemoryEventStore() }));
