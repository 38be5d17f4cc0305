import { describe, expect, it } from 'vitest';
import {
  BoundedPasswordHasher,
  type PasswordHashLimits,
  threadPoolWarning,
} from '../../../src/adapters/crypto/bounded-password-hasher.ts';
import { PasswordHashingBusyError } from '../../../src/application/ports/password-hasher.ts';
import { controllableHasher } from '../../support/controllable-hasher.ts';

const bounded = (limits: Partial<PasswordHashLimits> = {}) => {
  const fake = controllableHasher({ held: true });
  const events: string[] = [];
  const waits: number[] = [];
  const hasher = new BoundedPasswordHasher(
    fake.hasher,
    { concurrency: 1, queueLimit: 10, queueTimeoutMs: 5_000, ...limits },
    {
      queueChanged: (waiting, running) => events.push(`waiting ${waiting}, running ${running}`),
      started: (seconds) => waits.push(seconds),
      refused: (reason) => events.push(`refused ${reason}`),
    },
  );
  return { fake, hasher, events, waits };
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedPasswordHasher', () => {
  it('never runs more than its bound at once, and starts the waiting calls first come, first served', async () => {
    const { fake, hasher } = bounded({ concurrency: 3 });
    const calls = Array.from({ length: 12 }, (_, n) =>
      n % 3 === 0
        ? hasher.hash(`pw${n}`)
        : n % 3 === 1
          ? hasher.verify(`fake:pw${n}`, `pw${n}`)
          : hasher.verifyAgainstDummy(`pw${n}`),
    );
    await settle();
    expect(fake.running()).toBe(3);
    while (fake.waitingForRelease() > 0) {
      fake.releaseOldest();
      await settle();
      expect(fake.running()).toBeLessThanOrEqual(3);
    }
    expect(await Promise.all(calls)).toEqual(
      Array.from({ length: 12 }, (_, n) => (n % 3 === 0 ? `fake:pw${n}` : n % 3 === 1)),
    );
    expect(fake.mostAtOnce()).toBe(3);
    expect(fake.started()).toEqual(Array.from({ length: 12 }, (_, n) => `pw${n}`));
  });

  it('refuses at once the call that finds the queue full, before it reaches the hasher', async () => {
    const { fake, hasher, events } = bounded({ concurrency: 1, queueLimit: 2, queueTimeoutMs: 2_500 });
    const accepted = [hasher.verify('fake:a', 'a'), hasher.verify('fake:b', 'b'), hasher.hash('c')];
    const refused = await hasher.verifyAgainstDummy('d').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PasswordHashingBusyError);
    expect(refused).toMatchObject({ retryAfterSeconds: 3 });
    expect(events).toContain('refused queue-full');
    await settle();
    expect(fake.started()).toEqual(['a']);
    while (fake.waitingForRelease() > 0) {
      fake.releaseOldest();
      await settle();
    }
    expect(await Promise.all(accepted)).toEqual([true, true, 'fake:c']);
    expect(fake.started()).toEqual(['a', 'b', 'c']);
  });

  it('refuses a call whose turn has not come by the deadline, which then never runs', async () => {
    const { fake, hasher, events } = bounded({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 50 });
    const running = hasher.verify('fake:first', 'first');
    const waiting = hasher.verify('fake:second', 'second').catch((error: unknown) => error);
    expect(await waiting).toBeInstanceOf(PasswordHashingBusyError);
    expect(events).toContain('refused deadline');
    fake.releaseOldest();
    expect(await running).toBe(true);
    const later = hasher.hash('third');
    await settle();
    fake.releaseOldest();
    expect(await later).toBe('fake:third');
    expect(fake.started()).toEqual(['first', 'third']);
  });

  it('lets a running hash finish past the deadline, keeping its slot until it does', async () => {
    const { fake, hasher } = bounded({ concurrency: 1, queueLimit: 5, queueTimeoutMs: 20 });
    const slow = hasher.hash('slow');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const next = hasher.hash('next');
    await settle();
    expect(fake.started()).toEqual(['slow']);
    fake.releaseOldest();
    expect(await slow).toBe('fake:slow');
    await settle();
    fake.releaseOldest();
    expect(await next).toBe('fake:next');
    expect(fake.mostAtOnce()).toBe(1);
  });

  it('puts the dummy verification of unknown usernames in the same queue as real ones', async () => {
    const { fake, hasher } = bounded({ concurrency: 1, queueLimit: 1 });
    const dummy = hasher.verifyAgainstDummy('unknown user');
    const known = hasher.verify('fake:known', 'known');
    await settle();
    expect(fake.started()).toEqual(['unknown user']);
    const [refusedUnknown, refusedKnown] = await Promise.all([
      hasher.verifyAgainstDummy('another unknown').catch((error: unknown) => error),
      hasher.verify('fake:x', 'x').catch((error: unknown) => error),
    ]);
    expect(refusedUnknown).toBeInstanceOf(PasswordHashingBusyError);
    expect(refusedKnown).toEqual(refusedUnknown);
    fake.releaseOldest();
    await settle();
    expect(fake.started()).toEqual(['unknown user', 'known']);
    fake.releaseOldest();
    expect(await Promise.all([dummy, known])).toEqual([false, true]);
  });

  it('tells its observer the queue length, the running count and how long each call waited', async () => {
    const { fake, hasher, events, waits } = bounded({ concurrency: 1, queueLimit: 5 });
    const first = hasher.hash('one');
    const second = hasher.hash('two');
    await settle();
    fake.releaseOldest();
    await first;
    await settle();
    fake.releaseOldest();
    await second;
    expect(events).toEqual([
      'waiting 1, running 0',
      'waiting 0, running 1',
      'waiting 1, running 1',
      'waiting 1, running 0',
      'waiting 0, running 1',
      'waiting 0, running 0',
    ]);
    expect(waits).toHaveLength(2);
    expect(waits.every((seconds) => seconds >= 0)).toBe(true);
  });
});

describe('the libuv thread pool beside the bound', () => {
  it('warns when the bound takes every thread of the pool, naming both settings', () => {
    expect(threadPoolWarning(1, {})).toBeNull();
    expect(threadPoolWarning(3, {})).toBeNull();
    expect(threadPoolWarning(4, {})).toContain('PASSWORD_HASH_CONCURRENCY=4 takes all 4 threads');
    expect(threadPoolWarning(7, { UV_THREADPOOL_SIZE: '8' })).toBeNull();
    expect(threadPoolWarning(8, { UV_THREADPOOL_SIZE: '8' })).toContain('UV_THREADPOOL_SIZE');
  });
});
