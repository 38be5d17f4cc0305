import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';
import { MemorySessionStore } from '../../../src/adapters/memory/memory-session-store.ts';
import { SystemClock } from '../../../src/adapters/system/system-clock.ts';
import { sessionStoreContract } from '../../contracts/session-store.contract.ts';

sessionStoreContract('in-memory', async () => ({
  sessions: new MemorySessionStore(new RandomTokens(), new SystemClock()),
}));
