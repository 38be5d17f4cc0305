import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RandomTokens } from '../../../src/adapters/crypto/random-tokens.ts';
import { MemorySessionStore } from '../../../src/adapters/memory/memory-session-store.ts';
import { SessionStoreWithDurableFreezeTokens } from '../../../src/adapters/sqlite/durable-freeze-tokens.ts';
import { SystemClock } from '../../../src/adapters/system/system-clock.ts';
import type { Clock } from '../../../src/application/ports/clock.ts';
import type { LoginChallenge } from '../../../src/application/ports/session-store.ts';
import { sessionStoreContract } from '../../contracts/session-store.contract.ts';

const root = mkdtempSync(join(tmpdir(), 'second-factor-freeze-tokens-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

const open = (path: string, clock: Clock = new SystemClock()) =>
  new SessionStoreWithDurableFreezeTokens(
    path,
    new MemorySessionStore(new RandomTokens(), clock),
    new RandomTokens(),
    clock,
  );

sessionStoreContract('in-memory with durable freeze tokens (SQLite)', async () => {
  const store = open(join(root, `contract-${++files}.sqlite`));
  return { sessions: store, dispose: async () => store.close() };
});

const week = 7 * 24 * 60 * 60;
const freeze: LoginChallenge = { userId: 'u1', kind: 'freeze', createdAt: '2026-12-01T10:00:00.000Z' };

describe('freeze tokens of the embedded deployment', () => {
  it('survive a restart (a new process opens the file), once, and never as the token itself', async () => {
    const path = join(root, 'restart.sqlite');
    const before = open(path);
    const token = await before.createChallenge(freeze, week);
    const login = await before.createChallenge({ ...freeze, kind: 'second-factor' }, 600);
    before.close();
    const after = open(path);
    try {
      expect(await after.getChallenge(token)).toEqual(freeze);
      // Login challenges stay in memory: a restart ends a half-finished login, as before.
      expect(await after.getChallenge(login)).toBeNull();
      const consumers = await Promise.all(Array.from({ length: 20 }, () => after.consumeChallenge(token)));
      expect(consumers.filter((result) => result !== null)).toEqual([freeze]);
      expect(await after.getChallenge(token)).toBeNull();
      expect(
        await after.consumeChallengeForSession(
          token,
          { ...freeze, officeId: 'o', role: 'member', username: 'u' },
          60,
        ),
      ).toBeNull();
    } finally {
      after.close();
    }
    const bytes = readdirSync(root)
      .filter((name) => name.startsWith('restart.sqlite'))
      .map((name) => readFileSync(join(root, name)).toString('latin1'))
      .join('');
    expect(bytes).not.toContain(token);
  });

  it('are good for their whole TTL and not a moment longer', async () => {
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    const clock: Clock = { now: () => new Date(now) };
    const store = open(join(root, 'ttl.sqlite'), clock);
    try {
      const token = await store.createChallenge(freeze, week);
      now += week * 1000 - 1;
      expect(await store.getChallenge(token)).toEqual(freeze);
      now += 1;
      expect(await store.getChallenge(token)).toBeNull();
      expect(await store.consumeChallenge(token)).toBeNull();
    } finally {
      store.close();
    }
  });
});
