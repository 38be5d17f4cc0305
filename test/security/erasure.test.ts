import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personKey } from '../../src/adapters/crypto/data-key-vault.ts';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { SqliteDataKeyStore } from '../../src/adapters/keys/sqlite-data-key-store.ts';
import { verifyChains } from '../../src/application/audit-chain/verify-chain.ts';
import { keepSnapshotWhenDue, loadAggregate } from '../../src/application/load-aggregate.ts';
import type { RecordedEvent } from '../../src/application/ports/event-store.ts';
import {
  originAssociatedData,
  usernameAssociatedData,
} from '../../src/application/ports/personal-data-vault.ts';
import { totpSecretAssociatedData } from '../../src/application/ports/secret-cipher.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { EncryptedSecret } from '../../src/domain/shared/encrypted-secret.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { userSecurityDecider } from '../../src/domain/user-security/index.ts';
import { startService } from '../../src/main.ts';
import { type Harness, password, platformKey, startHarness } from '../support/service-harness.ts';
import { codeAt } from '../support/totp-codes.ts';
import { serviceVault } from '../support/vault.ts';

const username = 'erasure.subject@example.org';
const erasure = { reason: 'Asked to be forgotten', ticket: 'DPO-42' };
const userAgent = 'ErasureTestBrowser/4.2 (the subject own device)';

type Sealed = { username: EncryptedSecret };
type StartedEnrolment = { secret: EncryptedSecret; enrollmentId: string };

const eventOf = (events: RecordedEvent[], type: string, streamId: string): RecordedEvent => {
  const found = events.find((event) => event.type === type && event.streamId === streamId);
  if (found === undefined) throw new Error(`no ${type} in ${streamId}`);
  return found;
};

/** The sealed origin of the user's own login (the `SecondFactorVerified` they caused). */
const originOfLogin = (events: RecordedEvent[]): EncryptedSecret => {
  const login = events.findLast(
    (event) => event.type === 'SecondFactorVerified' && event.metadata.userAgent === undefined,
  );
  if (login?.metadata.origin === undefined) throw new Error('the login has no sealed origin');
  expect(login.metadata.clientIp).toBeUndefined();
  return login.metadata.origin;
};

const verifyChainsOf = async (dataDir: string) => {
  const store = new SqliteEventStore(join(dataDir, 'events.sqlite'));
  try {
    return await verifyChains(store);
  } finally {
    await store.close();
  }
};

/** Issue #12: erasure by crypto-shredding, seen from the store's files, the audit API and a restart. */
describe('crypto-shredding: a user is forgotten while the history stays whole', () => {
  let h: Harness;
  let officeId: string;
  let userId: string;
  let secret: string;
  let support: string;
  let auditor: string;
  const storeBytes = (): Buffer[] =>
    ['events.sqlite', 'events.sqlite-wal'].map((name) => {
      try {
        return readFileSync(join(h.dataDir, name));
      } catch {
        return Buffer.alloc(0);
      }
    });
  const keyFileBytes = () => readFileSync(join(h.dataDir, 'data-keys.sqlite'));
  const allEvents = async (): Promise<RecordedEvent[]> => {
    const store = new SqliteEventStore(join(h.dataDir, 'events.sqlite'));
    try {
      return await store.readAll(0, 100_000);
    } finally {
      await store.close();
    }
  };
  /** Writes the snapshot of the user's `user-security` stream the service writes every 100 events; its state. */
  const snapshotOfUserSecurity = async () => {
    const store = new SqliteEventStore(join(h.dataDir, 'events.sqlite'));
    try {
      const stream = userSecurityStream(userId);
      const loaded = await loadAggregate(store, userSecurityDecider, stream);
      await keepSnapshotWhenDue(store, userSecurityDecider, stream, loaded, 1);
      const kept = await store.readSnapshot(stream);
      expect(kept?.revision).toBe(loaded.revision);
      return loaded.state;
    } finally {
      await store.close();
    }
  };
  /** What someone holding the keyring and the key file, but not the service, can open. */
  const outsideVault = () =>
    serviceVault(h.dataDir, readFileSync(join(h.dataDir, 'secret-keys'), 'utf8').trim());

  beforeAll(async () => {
    h = await startHarness();
    officeId = await h.office();
    userId = await h.user(officeId, username);
    ({ secret } = await h.enrol(username));
    const helpdesk = await h.office('Helpdesk');
    await h.user(helpdesk, 'erasure.support', 'support');
    await h.user(helpdesk, 'erasure.auditor', 'auditor');
    support = await h.sessionOf('erasure.support');
    auditor = await h.sessionOf('erasure.auditor');
  });
  afterAll(async () => h?.stop());

  it('never writes a username, password hash, TOTP secret or where the user logged in from in plain text', async () => {
    const login = await h.call('POST', '/v1/login', {
      body: { username, password, code: codeAt(secret) },
      headers: { 'user-agent': userAgent },
    });
    expect(login.body.status).toBe('authenticated');
    for (const bytes of storeBytes()) {
      expect(bytes.includes(username)).toBe(false);
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(userAgent)).toBe(false);
      expect(bytes.includes('$argon2id$')).toBe(false);
    }
    const events = await allEvents();
    expect(events.some((event) => event.streamId.includes(username))).toBe(false);
    const registered = eventOf(events, 'UserRegistered', `user-${userId}`);
    expect(registered.metadata.schemaVersion).toBe(2);
    const sealed = (registered.data as Sealed).username;
    expect(await outsideVault().open(userId, sealed, usernameAssociatedData(userId))).toBe(username);
    const origin = originOfLogin(events);
    expect(
      JSON.parse((await outsideVault().open(userId, origin, originAssociatedData(userId))) ?? '{}'),
    ).toEqual({
      clientIp: expect.any(String),
      userAgent,
    });
  });

  it('erases: the key leaves the key file, the sealed fields stay unreadable even with the keyring, the chains hold', async () => {
    // A snapshot of the user's security state, as a long-time user's commands leave one.
    const snapshotted = await snapshotOfUserSecurity();
    for (const bytes of storeBytes()) expect(bytes.includes(secret)).toBe(false);
    const before = await allEvents();
    const keys = new SqliteDataKeyStore(join(h.dataDir, 'data-keys.sqlite'));
    const stored = await keys.find(personKey(userId));
    await keys.close();
    if (stored?.state !== 'active') throw new Error('the user had no data key');
    expect(keyFileBytes().includes(stored.wrappedKey)).toBe(true);

    const reply = await h.call('POST', `/v1/support/users/${userId}/erasure`, {
      body: erasure,
      token: support,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);

    const after = await allEvents();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((event) => event.type)).toEqual(['UserErased', 'UsernameReleased']);
    expect((await verifyChainsOf(h.dataDir)).broken).toEqual([]);
    expect(keyFileBytes().includes(stored.wrappedKey)).toBe(false);

    const opener = outsideVault();
    const sealedName = (eventOf(after, 'UserRegistered', `user-${userId}`).data as Sealed).username;
    const enrolment = eventOf(after, 'TotpEnrollmentStarted', `user-security-${userId}`)
      .data as StartedEnrolment;
    expect(await opener.open(userId, sealedName, usernameAssociatedData(userId))).toBeNull();
    expect(
      await opener.open(userId, enrolment.secret, totpSecretAssociatedData(userId, enrolment.enrollmentId)),
    ).toBeNull();
    expect(await opener.open(userId, originOfLogin(after), originAssociatedData(userId))).toBeNull();
    const inSnapshot = snapshotted.enrollment;
    if (inSnapshot === null) throw new Error('the snapshot holds no enrolment');
    expect(inSnapshot.secret).toEqual(enrolment.secret);
    expect(
      await opener.open(userId, inSnapshot.secret, totpSecretAssociatedData(userId, inSnapshot.enrollmentId)),
    ).toBeNull();
  });

  it('shows auditors the whole history with [erased] where the username was, and a sound chain', async () => {
    const reply = await h.call('GET', `/v1/audit/events?userId=${userId}&limit=1000`, { token: auditor });
    expect(reply.status).toBe(200);
    const items = reply.body.items as { type: string; data: Record<string, unknown> }[];
    const types = items.map((item) => item.type);
    expect(types).toEqual(
      expect.arrayContaining(['UsernameReserved', 'UserRegistered', 'TotpEnrollmentStarted', 'TotpEnrolled']),
    );
    expect(types.slice(-2)).toEqual(['UserErased', 'UsernameReleased']);
    const usernames = items
      .filter((item) => item.data.username !== undefined)
      .map((item) => item.data.username);
    expect(usernames).toEqual(['[erased]', '[erased]']);
    expect(JSON.stringify(reply.body)).not.toContain(username);
    expect(items.find((item) => item.type === 'UserErased')?.data).toEqual({ userId, ...erasure });
    const chain = await h.call('GET', `/v1/audit/verification?streamId=user-${userId}`, { token: auditor });
    expect(chain.body).toMatchObject({ intact: true });
  });

  it('refuses the erased user at login, also after a restart rebuilds the read models from the events', async () => {
    expect((await h.login(username)).status).toBe(401);
    await h.service.stop();
    const restarted = await startService(
      loadConfig({ PORT: '0', DATA_DIR: h.dataDir, LOG_LEVEL: 'silent', PLATFORM_API_KEY: platformKey }),
    );
    try {
      const login = await restarted.app.inject({
        method: 'POST',
        url: '/v1/login',
        payload: { username, password },
      });
      expect(login.statusCode).toBe(401);
      const again = await restarted.app.inject({
        method: 'POST',
        url: '/v1/platform/users',
        headers: { 'x-api-key': platformKey },
        payload: { officeId, username, password, role: 'member' },
      });
      expect(again.statusCode, again.body).toBe(201);
      expect((again.json() as { userId: string }).userId).not.toBe(userId);
      expect((await verifyChainsOf(h.dataDir)).broken).toEqual([]);
    } finally {
      await restarted.stop();
    }
  });
});
