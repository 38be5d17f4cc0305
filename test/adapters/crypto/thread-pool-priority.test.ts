import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Argon2idPasswordHasher } from '../../../src/adapters/crypto/argon2id-password-hasher.ts';
import { lowerThreadPoolPriority } from '../../../src/adapters/crypto/thread-pool-priority.ts';
import { linux, poolThreads } from '../../support/pool-threads.ts';

describe.skipIf(!linux)('the priority of the threads argon2id runs on', () => {
  it('lowers every libuv pool thread to the niceness asked, and leaves the event loop thread as it was', async () => {
    await new Argon2idPasswordHasher({ memoryKiB: 64, passes: 1, parallelism: 1 }).hash('starts the pool');
    const mainBefore = getPriority();
    expect(lowerThreadPoolPriority(0)).toBe(0);
    const lowered = lowerThreadPoolPriority(10);
    expect(lowered).toBe(poolThreads().length);
    expect(lowered).toBeGreaterThan(0);
    for (const tid of poolThreads()) expect(getPriority(tid)).toBeGreaterThanOrEqual(10);
    expect(getPriority()).toBe(mainBefore);
  });

  it('never raises a thread back to a higher priority', () => {
    expect(lowerThreadPoolPriority(12)).toBeGreaterThan(0);
    lowerThreadPoolPriority(5);
    for (const tid of poolThreads()) expect(getPriority(tid)).toBeGreaterThanOrEqual(12);
  });
});
