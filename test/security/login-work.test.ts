import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmSecretCipher } from '../../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { Argon2idPasswordHasher } from '../../src/adapters/crypto/argon2id-password-hasher.ts';
import { DataKeyVault } from '../../src/adapters/crypto/data-key-vault.ts';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory/memory-event-store.ts';
import { MemoryDataKeyStore } from '../../src/adapters/memory/memory-data-key-store.ts';
import { SystemClock } from '../../src/adapters/system/system-clock.ts';
import { UuidIds } from '../../src/adapters/system/uuid-ids.ts';
import type { DataKeyStore } from '../../src/application/ports/data-key-store.ts';
import { passwordHashAssociatedData } from '../../src/application/ports/personal-data-vault.ts';
import type { LoginLookup, ReadModels } from '../../src/application/ports/read-models.ts';
import { rewrapDataKeys } from '../../src/application/rewrap-data-keys.ts';
import { passwordStep } from '../../src/application/use-cases/login/password-step.ts';

/** Wraps a port so that every method call is written down, in order, as `port.method`. */
const recorded = <T extends object>(port: string, target: T, calls: string[]): T =>
  new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(`${port}.${String(property)}`);
        return value.apply(object, args);
      };
    },
  });

const cheapArgon2 = { memoryKiB: 64, passes: 1, parallelism: 1 };
const rightPassword = 'the right password';
const keyring = (id: string) => ({ id, key: randomBytes(32) });

/**
 * The password step over recorded ports: argon2id, the data key vault with its key store and keyring,
 * and a read model that knows one user ('known') whose hash is sealed as in the events.
 */
const instrumentedLogin = async (options: {
  cacheEntries?: number;
  store?: DataKeyStore;
  keys?: { id: string; key: Buffer }[];
}) => {
  const calls: string[] = [];
  const store = recorded('dataKeys', options.store ?? new MemoryDataKeyStore(), calls);
  const cipher = recorded('keyring', new AesGcmSecretCipher(options.keys ?? [keyring('k1')]), calls);
  const vault = recorded(
    'vault',
    new DataKeyVault(store, cipher, new SystemClock(), { cacheEntries: options.cacheEntries ?? 10_000 }),
    calls,
  );
  const passwords = recorded('passwords', new Argon2idPasswordHasher(cheapArgon2), calls);
  const userId = randomUUID();
  const passwordHash = await vault.seal(
    userId,
    await passwords.hash(rightPassword),
    passwordHashAssociatedData(userId),
  );
  const known = { user: { userId, passwordHash }, office: null } as unknown as LoginLookup;
  const readModels = recorded(
    'readModels',
    { loginByUsername: async (username: string) => (username === 'known' ? known : null) },
    calls,
  ) as unknown as ReadModels;
  const step = passwordStep({
    readModels,
    passwords,
    vault,
    ids: new UuidIds(),
    sessions: {} as never,
    clock: new SystemClock(),
    settings: {
      sessionTtlSeconds: 60,
      challengeTtlSeconds: 60,
      temporaryAccessHours: 24,
      supportApproval: 'off',
    },
  });
  /** The calls one refused login made. */
  const refusedLogin = async (username: string): Promise<string[]> => {
    calls.length = 0;
    const refusal = await step({ username, password: 'a wrong password' }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'invalid-credentials' });
    return [...calls];
  };
  return { refusedLogin, vault };
};

describe('S7 an unknown username does the work of a wrong password', () => {
  it('S7 the same read-model, vault, data key and argon2id calls, in the same order, with the data keys cached', async () => {
    const { refusedLogin } = await instrumentedLogin({});
    await refusedLogin('nobody');
    for (let round = 0; round < 3; round += 1) {
      const wrongPassword = await refusedLogin('known');
      expect(wrongPassword).toEqual(['readModels.loginByUsername', 'vault.open', 'passwords.verify']);
      expect(await refusedLogin(`nobody-${round}`)).toEqual(wrongPassword);
    }
  });

  it('S7 the same calls when each data key has to be fetched and unwrapped again', async () => {
    // A cache of one key: the stand-in's key and the user's key push each other out, as keys not used
    // for a minute leave the cache.
    const { refusedLogin } = await instrumentedLogin({ cacheEntries: 1 });
    await refusedLogin('nobody');
    for (let round = 0; round < 3; round += 1) {
      const wrongPassword = await refusedLogin('known');
      expect(wrongPassword).toEqual([
        'readModels.loginByUsername',
        'vault.open',
        'dataKeys.find',
        'keyring.decrypt',
        'passwords.verify',
      ]);
      expect(await refusedLogin(`nobody-${round}`)).toEqual(wrongPassword);
    }
  });

  it('S7 makes the stand-in once: only the first unknown username of a process also hashes and seals', async () => {
    const { refusedLogin } = await instrumentedLogin({});
    const first = await refusedLogin('nobody');
    expect(first.filter((call) => call === 'passwords.hash' || call === 'vault.seal')).toEqual([
      'passwords.hash',
      'vault.seal',
    ]);
    expect(first.slice(-2)).toEqual(['vault.open', 'passwords.verify']);
    expect(await refusedLogin('nobody')).not.toContain('passwords.hash');
  });

  it('S7 keys rewrap moves the stand-in key too, so unknown usernames still get 401 without the old key', async () => {
    const store = new MemoryDataKeyStore();
    const k1 = keyring('k1');
    const k2 = keyring('k2');
    await (await instrumentedLogin({ store, keys: [k1] })).refusedLogin('nobody');
    const rotation = new DataKeyVault(store, new AesGcmSecretCipher([k2, k1]), new SystemClock());
    await rewrapDataKeys(new MemoryEventStore(), rotation);
    const afterRotation = await instrumentedLogin({ store, keys: [k2] });
    expect(await afterRotation.refusedLogin('nobody')).toContain('passwords.verify');
  });
});
