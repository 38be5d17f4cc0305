import { MemoryReadModels } from '../../../src/adapters/memory/memory-read-models.ts';
import { readModelsContract } from '../../contracts/read-models.contract.ts';

readModelsContract('in-memory', async () => ({ readModels: new MemoryReadModels() }));
