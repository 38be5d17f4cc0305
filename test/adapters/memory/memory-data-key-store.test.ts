import { MemoryDataKeyStore } from '../../../src/adapters/memory/memory-data-key-store.ts';
import { dataKeyStoreContract } from '../../contracts/data-key-store.contract.ts';

dataKeyStoreContract('memory', async () => ({ store: new MemoryDataKeyStore() }), { persistent: false });
