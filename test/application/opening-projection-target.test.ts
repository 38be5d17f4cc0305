import { describe, expect, it } from 'vitest';
import { MemoryReadModels } from '../../src/adapters/memory/memory-read-models.ts';
import { passwordMatches } from '../../src/application/password-check.ts';
import {
  passwordHashAssociatedData,
  usernameAssociatedData,
} from '../../src/application/ports/personal-data-vault.ts';
import { OpeningProjectionTarget } from '../../src/application/projections/opening-projection-target.ts';
import type { PersonalText } from '../../src/domain/shared/personal-data.ts';
import { userAccountStream } from '../../src/domain/user-account/events.ts';
import { RecordedEvents } from '../support/domain-events.ts';
import { servingMemoryReadModels } from '../support/read-models.ts';
import { memoryVault } from '../support/vault.ts';

const registration = (
  events: RecordedEvents,
  userId: string,
  username: PersonalText,
  passwordHash: PersonalText = '$argon2id$x',
) =>
  events.record(userAccountStream(userId), {
    type: 'UserRegistered',
    data: { userId, officeId: 'o1', username, role: 'member', passwordHash },
  });

describe('OpeningProjectionTarget and passwordMatches: what the read models hold of sealed fields', () => {
  it('opens the sealed username for lookups, and leaves the password hash sealed until a login checks it', async () => {
    const vault = memoryVault();
    const sealed = await vault.seal('u1', 'ada', usernameAssociatedData('u1'));
    const hash = await vault.seal('u1', '$argon2id$ada-password', passwordHashAssociatedData('u1'));
    const readModels = await servingMemoryReadModels();
    const target = new OpeningProjectionTarget(readModels, vault);
    expect(await target.applyBatch([registration(new RecordedEvents(), 'u1', sealed, hash)], 0)).toBe(
      'applied',
    );
    const user = (await readModels.loginByUsername('ada'))?.user;
    expect(user).toMatchObject({ userId: 'u1', username: 'ada', passwordHash: hash });
    expect(await target.checkpoint()).toBe(1);
    const passwords = {
      hash: async (plain: string) => `$argon2id$${plain}`,
      verify: async (stored: string, plain: string) => stored === `$argon2id$${plain}`,
      verifyAgainstDummy: async () => false as const,
    };
    if (user === undefined) throw new Error('not projected');
    expect(await passwordMatches({ vault, passwords }, user, 'ada-password')).toBe(true);
    expect(await passwordMatches({ vault, passwords }, user, 'wrong')).toBe(false);
    await vault.erase('u1');
    expect(await passwordMatches({ vault, passwords }, user, 'ada-password')).toBe(false);
  });

  it('leaves out a user erased before the projection ran (as at a restart or rebuild)', async () => {
    const vault = memoryVault();
    const events = new RecordedEvents();
    const kept = registration(events, 'u1', await vault.seal('u1', 'ada', usernameAssociatedData('u1')));
    const gone = registration(events, 'u2', await vault.seal('u2', 'bob', usernameAssociatedData('u2')));
    await vault.erase('u2');
    const readModels = await servingMemoryReadModels();
    const target = new OpeningProjectionTarget(readModels, vault);
    expect(await target.apply(kept, 0)).toBe('applied');
    expect(await target.apply(gone, 1)).toBe('applied');
    expect(await readModels.loginByUserId('u2')).toBeNull();
    expect(
      (await readModels.officeMembers('o1', { after: null, limit: 10 })).items.map((m) => m.username),
    ).toEqual(['ada']);
  });

  it('hands batches on to a build in the order they came, though the first waits longer for the vault', async () => {
    const vault = memoryVault();
    const events = new RecordedEvents();
    const sealed = registration(events, 'u1', await vault.seal('u1', 'ada', usernameAssociatedData('u1')));
    const plain = registration(events, 'u2', 'bob');
    const slowVault: typeof vault = Object.assign(Object.create(vault), {
      open: async (...args: Parameters<typeof vault.open>) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return vault.open(...args);
      },
    });
    const readModels = new MemoryReadModels();
    const build = await new OpeningProjectionTarget(readModels, slowVault).startBuild('store', 2);
    const outcomes = await Promise.all([build.applyBatch([sealed], 0), build.applyBatch([plain], 1)]);
    expect(outcomes).toEqual(['applied', 'applied']);
    expect(await build.promote()).toBe(true);
    expect((await readModels.loginByUsername('ada'))?.user.userId).toBe('u1');
    expect((await readModels.loginByUsername('bob'))?.user.userId).toBe('u2');
  });

  it('passes a username written before sealing through as it is', async () => {
    const readModels = await servingMemoryReadModels();
    const target = new OpeningProjectionTarget(readModels, memoryVault());
    await target.apply(registration(new RecordedEvents(), 'u1', 'legacy.name'), 0);
    expect((await readModels.loginByUsername('legacy.name'))?.user.userId).toBe('u1');
  });
});
