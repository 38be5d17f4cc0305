import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { AesGcmSecretCipher, type Keyring } from '../src/adapters/crypto/aes-gcm-secret-cipher.ts';
import { Argon2idPasswordHasher } from '../src/adapters/crypto/argon2id-password-hasher.ts';
import { DataKeyVault, newDataKey, personKey } from '../src/adapters/crypto/data-key-vault.ts';
import { migrate } from '../src/adapters/eventstore/sqlite/schema.ts';
import { SqliteDataKeyStore } from '../src/adapters/keys/sqlite-data-key-store.ts';
import { SystemClock } from '../src/adapters/system/system-clock.ts';
import { eventHash, genesisHash } from '../src/application/audit-chain/hash-chain.ts';
import type { EventMetadata } from '../src/application/ports/event-store.ts';
import {
  passwordHashAssociatedData,
  usernameAssociatedData,
} from '../src/application/ports/personal-data-vault.ts';
import { totpSecretAssociatedData } from '../src/application/ports/secret-cipher.ts';
import { type EventType, eventSchemaVersion } from '../src/domain/events.ts';
import { officeStream } from '../src/domain/office/events.ts';
import { userAccountStream } from '../src/domain/user-account/events.ts';
import { legacyUsernameStream, usernameStream } from '../src/domain/user-account/username-events.ts';
import { userSecurityStream } from '../src/domain/user-security/events.ts';

export const benchPassword = 'bench-password-correct-horse';

/** A keyring the bench encrypts with and hands to the service as SECRET_KEYS. */
export const makeKeyring = (): { keyring: Keyring; secretKeys: string } => {
  const key = randomBytes(32);
  return { keyring: [{ id: 'bench1', key }], secretKeys: `bench1:${key.toString('base64')}` };
};

/** One argon2id PHC string at the service's configured (default) cost, reused for every user. */
export const benchPasswordHash = (): Promise<string> => new Argon2idPasswordHasher().hash(benchPassword);

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const base32 = (bytes: Buffer): string => {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
};

/** Deterministic per-user TOTP secret (base32, 160 bits), so the bench can compute codes. */
export const totpSecretOf = (userId: string): string =>
  base32(createHash('sha1').update(`bench-totp:${userId}`).digest());

export const officeIdOf = (o: number): string => `office-${o}`;
export const userIdOf = (o: number, u: number): string => `u-${o}-${u}`;
export const usernameOf = (o: number, u: number): string => `user${o}.${u}`;
export const enrollmentIdOf = (userId: string): string => `e-${userId}`;
/** Every other user (even index) is enrolled. */
export const isEnrolled = (u: number): boolean => u % 2 === 0;
/** Even offices require 2FA; odd ones do not (so their unenrolled users log in with a password only). */
export const officeRequires2fa = (o: number): boolean => o % 2 === 0;

export type SeedShape = { offices: number; usersPerOffice: number };
export type SeedResult = { events: number; users: number; enrolled: number; seconds: number };

export const eventMetadata = (schemaVersion = 1): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt: new Date().toISOString(),
  actor: { id: 'platform', role: 'platform' },
  correlationId: randomUUID(),
  causationId: randomUUID(),
  schemaVersion,
});

/**
 * Seals like the service: a data key per user (written in bulk into the service's key file) for the
 * username and TOTP secret, and username streams named by the blind index.
 */
const sealingWith = async (keyring: Keyring, dataKeysPath: string) => {
  const keyringCipher = new AesGcmSecretCipher(keyring);
  const vault = new DataKeyVault(new SqliteDataKeyStore(dataKeysPath), keyringCipher, new SystemClock());
  await vault.digest('creates the index key once');
  const keys = new DatabaseSync(dataKeysPath);
  const insertKey = keys.prepare('INSERT INTO data_keys (subject_id, wrapped_key) VALUES (?, ?)');
  keys.exec('BEGIN');
  return {
    forUser: async (userId: string, username: string) => {
      const { wrappedKey, sealer } = newDataKey(keyringCipher, personKey(userId));
      insertKey.run(personKey(userId), wrappedKey);
      return {
        username: sealer.encrypt(username, usernameAssociatedData(userId)),
        stream: usernameStream(await vault.digest(username)),
        passwordHash: (hash: string) => sealer.encrypt(hash, passwordHashAssociatedData(userId)),
        seal: (plaintext: string, associatedData: string) => sealer.encrypt(plaintext, associatedData),
      };
    },
    finish: () => {
      keys.exec('COMMIT');
      keys.close();
    },
  };
};

/** How events written before sealing held personal data: plain usernames, secrets under the keyring. */
const plainWith = (keyring: Keyring) => {
  const keyringCipher = new AesGcmSecretCipher(keyring);
  return {
    forUser: async (_userId: string, username: string) => ({
      username,
      stream: legacyUsernameStream(username),
      passwordHash: (hash: string) => hash,
      seal: (plaintext: string, associatedData: string) => keyringCipher.encrypt(plaintext, associatedData),
    }),
    finish: () => {},
  };
};

/**
 * Writes the events a real provisioning would have produced (office registered, username reserved,
 * user registered, enrolment started + confirmed for half, office policy) straight into the SQLite
 * event store's table, in one transaction: one append per event through SqliteEventStore would fsync
 * 300,000 times. The schema comes from the store's own `migrate`, the row format matches its insert.
 */
export const seedEventStore = async (
  path: string,
  shape: SeedShape,
  keyring: Keyring,
  passwordHash: string,
  /** The service's data key file, or null for the format written before sealing. */
  dataKeysPath: string | null,
): Promise<SeedResult> => {
  const started = performance.now();
  const sealing = dataKeysPath === null ? plainWith(keyring) : await sealingWith(keyring, dataKeysPath);
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  migrate(db);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
  );
  const acceptedStep = Math.floor(Date.now() / 30_000) - 1_000;
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 600_000).toISOString();
  let events = 0;
  let enrolled = 0;
  // Chained like the service writes them, so `audit verify` has real work to do.
  const lastHash = new Map<string, string>();
  const put = (stream: string, revision: number, type: string, data: unknown) => {
    const metadata = {
      ...eventMetadata(eventSchemaVersion[type as EventType]),
      previousHash: lastHash.get(stream) ?? genesisHash,
    };
    const hash = eventHash({ streamId: stream, revision, type, data, metadata });
    lastHash.set(stream, hash);
    insert.run(stream, revision, type, JSON.stringify(data), JSON.stringify({ ...metadata, hash }));
    events += 1;
  };
  db.exec('BEGIN');
  try {
    for (let o = 0; o < shape.offices; o += 1) {
      const officeId = officeIdOf(o);
      put(officeStream(officeId), 0, 'OfficeRegistered', { officeId, name: `Office ${o}` });
      for (let u = 0; u < shape.usersPerOffice; u += 1) {
        const userId = userIdOf(o, u);
        const personal = await sealing.forUser(userId, usernameOf(o, u));
        put(personal.stream, 0, 'UsernameReserved', { username: personal.username, userId });
        put(userAccountStream(userId), 0, 'UserRegistered', {
          userId,
          officeId,
          username: personal.username,
          role: 'member',
          passwordHash: personal.passwordHash(passwordHash),
        });
        if (!isEnrolled(u)) continue;
        enrolled += 1;
        const enrollmentId = enrollmentIdOf(userId);
        const secret = personal.seal(totpSecretOf(userId), totpSecretAssociatedData(userId, enrollmentId));
        const stream = userSecurityStream(userId);
        put(stream, 0, 'TotpEnrollmentStarted', {
          userId,
          enrollmentId,
          secret,
          startedAt: now,
          expiresAt: expires,
        });
        put(stream, 1, 'TotpEnrolled', { userId, enrollmentId, enrolledAt: now, acceptedStep });
      }
      if (officeRequires2fa(o))
        put(officeStream(officeId), 1, 'OfficeTwoFactorRequired', { officeId, enforceFrom: null });
      if (o % 100 === 99) {
        db.exec('COMMIT');
        db.exec('BEGIN');
        // Let timers (progress, sampling) run between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    db.exec('COMMIT');
    sealing.finish();
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  } finally {
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
  }
  return {
    events,
    users: shape.offices * shape.usersPerOffice,
    enrolled,
    seconds: (performance.now() - started) / 1000,
  };
};

/**
 * A bigger store for the rebuild, made from an already seeded one in the format before sealing (a sealed
 * username is bound to its user id, so a renamed copy could not be opened) by copying its events in SQL as
 * often as needed, each copy with its own user, office, username and stream ids (so every copy makes
 * distinct read-model documents): far faster than generating and encrypting a million events again.
 */
export const copyStoreScaled = (source: string, target: string, targetEvents: number): SeedResult => {
  const started = performance.now();
  const db = new DatabaseSync(target);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
  migrate(db);
  db.prepare('ATTACH DATABASE ? AS source').run(source);
  const available = (db.prepare('SELECT COUNT(*) AS n FROM source.events').get() as { n: number }).n;
  const copy = db.prepare(`
    INSERT INTO events (stream_id, revision, type, data, metadata)
    SELECT :tag || '-' || stream_id, revision, type,
      replace(replace(replace(data,
        '"u-', '"' || :tag || 'u-'),
        '"office-', '"' || :tag || 'office-'),
        '"username":"user', '"username":"' || :tag || 'user'),
      metadata
    FROM source.events ORDER BY position LIMIT :limit`);
  let events = 0;
  db.exec('BEGIN');
  try {
    for (let n = 0; events < targetEvents && available > 0; n += 1) {
      const limit = Math.min(available, targetEvents - events);
      copy.run({ tag: `c${n}`, limit });
      events += limit;
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  } finally {
    db.exec('DETACH DATABASE source');
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
  }
  return { events, users: 0, enrolled: 0, seconds: (performance.now() - started) / 1000 };
};
