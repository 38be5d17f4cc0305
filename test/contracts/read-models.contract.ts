import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store.ts';
import {
  type AppliesEvents,
  type ProjectionTarget,
  type ReadModels,
  ReadModelsRebuildingError,
} from '../../src/application/ports/read-models.ts';
import { projectionVersion } from '../../src/application/projections/documents.ts';
import { officeStream } from '../../src/domain/office/events.ts';
import { userAccountStream } from '../../src/domain/user-account/events.ts';
import { userSecurityStream } from '../../src/domain/user-security/events.ts';
import { RecordedEvents } from '../support/domain-events.ts';

export type ReadModelsUnderTest = {
  readModels: ReadModels & ProjectionTarget;
  dispose?: () => Promise<void>;
};

const secret = { keyId: 'k1', iv: 'aXY=', ciphertext: 'Y2lwaGVy', tag: 'dGFn' };

/** One office with three users; bob enrols. Returns the events in order. */
export const story = (): RecordedEvent[] => {
  const events = new RecordedEvents();
  const user = (userId: string, username: string, role: 'member' | 'office-admin' = 'member') =>
    events.record(userAccountStream(userId), {
      type: 'UserRegistered',
      data: { userId, officeId: 'o1', username, role, passwordHash: `$argon2id$hash-of-${username}` },
    });
  return [
    events.record(officeStream('o1'), {
      type: 'OfficeRegistered',
      data: { officeId: 'o1', name: 'Kantoor Gent' },
    }),
    user('u-carol', 'carol', 'office-admin'),
    user('u-alice', 'alice'),
    user('u-bob', 'bob'),
    events.record(officeStream('o1'), {
      type: 'OfficeTwoFactorRequired',
      data: { officeId: 'o1', enforceFrom: '2026-12-01T00:00:00.000Z' },
    }),
    events.record(userSecurityStream('u-bob'), {
      type: 'TotpEnrollmentStarted',
      data: {
        userId: 'u-bob',
        enrollmentId: 'e1',
        secret,
        startedAt: '2026-11-26T10:00:00.000Z',
        expiresAt: '2026-11-26T10:10:00.000Z',
      },
    }),
    events.record(userSecurityStream('u-bob'), {
      type: 'TotpEnrolled',
      data: {
        userId: 'u-bob',
        enrollmentId: 'e1',
        enrolledAt: '2026-11-26T10:01:00.000Z',
        acceptedStep: 59_000_000,
      },
    }),
    events.record(userSecurityStream('u-bob'), {
      type: 'RecoveryCodesIssued',
      data: {
        userId: 'u-bob',
        enrollmentId: 'e1',
        codeHashes: Array.from({ length: 10 }, (_, i) => `h${i}`),
      },
    }),
    events.record(userSecurityStream('u-bob'), {
      type: 'RecoveryCodeUsed',
      data: { userId: 'u-bob', codeHash: 'h3' },
    }),
  ];
};

const applyAll = async (target: AppliesEvents, events: RecordedEvent[]) => {
  let previous = await target.checkpoint();
  for (const event of events) {
    expect(await target.apply(event, previous)).toBe('applied');
    previous = event.position;
  }
};

/** The behaviour every ReadModels adapter must show; each test gets fresh, empty read models. */
export const readModelsContract = (name: string, open: () => Promise<ReadModelsUnderTest>): void => {
  describe(`ReadModels contract: ${name}`, () => {
    let subject: ReadModelsUnderTest;
    let readModels: ReadModels & ProjectionTarget;
    const events = story();

    beforeAll(async () => {
      subject = await open();
      readModels = subject.readModels;
      const build = await readModels.startBuild('store-a', events.at(-1)?.position ?? 0);
      await applyAll(build, events);
      expect(await build.promote()).toBe(true);
    });
    afterAll(async () => subject?.dispose?.());

    it('finds a user and their office policy by username and by id', async () => {
      const byName = await readModels.loginByUsername('alice');
      expect(byName?.user).toMatchObject({
        userId: 'u-alice',
        officeId: 'o1',
        role: 'member',
        twoFactor: 'none',
      });
      expect(byName?.office).toEqual({
        officeId: 'o1',
        name: 'Kantoor Gent',
        required: true,
        enforceFrom: '2026-12-01T00:00:00.000Z',
        trustBrowserDays: 0,
        reenrollment: null,
        revision: 1,
      });
      expect(await readModels.loginByUserId('u-alice')).toEqual(byName);
    });

    it('answers null for an unknown username, user or office', async () => {
      expect(await readModels.loginByUsername('mallory')).toBeNull();
      expect(await readModels.loginByUserId('u-nobody')).toBeNull();
      expect(await readModels.officePolicy('o-nowhere')).toBeNull();
    });

    it('shows an enrolment with its ciphertext only after it is confirmed, and counts recovery codes', async () => {
      const bob = (await readModels.loginByUsername('bob'))?.user;
      expect(bob).toMatchObject({
        twoFactor: 'enrolled',
        enrollmentId: 'e1',
        enrolledAt: '2026-11-26T10:01:00.000Z',
        secret,
        lastAcceptedStep: 59_000_000,
        recoveryCodesLeft: 9,
        totpParameters: { algorithm: 'SHA1', digits: 6, period: 30 },
      });
      expect(bob).not.toHaveProperty('pending');
      expect((await readModels.loginByUsername('alice'))?.user.totpParameters).toBeNull();
    });

    it('pages office members by username with a cursor', async () => {
      const first = await readModels.officeMembers('o1', { after: null, limit: 2 });
      expect(first.items.map((member) => member.username)).toEqual(['alice', 'bob']);
      expect(first.items[1]).toEqual({
        userId: 'u-bob',
        username: 'bob',
        role: 'member',
        twoFactor: 'enrolled',
        enrolledAt: '2026-11-26T10:01:00.000Z',
        lastSecondFactorAt: null,
      });
      expect(first.next).not.toBeNull();
      const second = await readModels.officeMembers('o1', { after: first.next, limit: 2 });
      expect(second.items.map((member) => member.username)).toEqual(['carol']);
      expect(second.next).toBeNull();
      expect((await readModels.officeMembers('o-empty', { after: null, limit: 10 })).items).toEqual([]);
    });

    it('records the last applied position and skips an event it has already applied', async () => {
      const last = events.at(-1);
      expect(await readModels.checkpoint()).toBe(last?.position);
      if (last === undefined) throw new Error('no events');
      expect(await readModels.apply(last, last.position - 1)).toBe('skipped');
      expect((await readModels.loginByUsername('bob'))?.user.recoveryCodesLeft).toBe(9);
    });

    it('refuses an event whose predecessor it has not applied, so nothing is skipped', async () => {
      const checkpoint = await readModels.checkpoint();
      const next = {
        ...events[0]!,
        position: checkpoint + 2,
        streamId: 'office-o2',
        data: { officeId: 'o2', name: 'X' },
      };
      expect(await readModels.apply(next, checkpoint + 1)).toBe('behind');
      expect(await readModels.officePolicy('o2')).toBeNull();
      expect(await readModels.checkpoint()).toBe(checkpoint);
    });

    it('lets a reader wait until a position is applied, and gives up after the timeout', async () => {
      const checkpoint = await readModels.checkpoint();
      expect(await readModels.waitFor(checkpoint, 50)).toBe(true);
      expect(await readModels.waitFor(checkpoint + 1, 30)).toBe(false);
      const waiting = readModels.waitFor(checkpoint + 1, 2_000);
      const lifted = {
        ...events[0]!,
        type: 'OfficeTwoFactorRequirementLifted',
        data: { officeId: 'o1' },
        revision: 2,
        position: checkpoint + 1,
      };
      expect(await readModels.apply(lifted, checkpoint)).toBe('applied');
      expect(await waiting).toBe(true);
      expect(await readModels.officePolicy('o1')).toMatchObject({
        required: false,
        enforceFrom: null,
        revision: 2,
      });
    });

    it('knows an open temporary access by its deadline only, and a freeze until it is lifted', async () => {
      const checkpoint = await readModels.checkpoint();
      const security = new RecordedEvents();
      const next = (offset: number, event: Parameters<RecordedEvents['record']>[1]): RecordedEvent => ({
        ...security.record(userSecurityStream('u-alice'), event),
        position: checkpoint + offset,
      });
      const until = '2026-11-27T10:00:00.000Z';
      const steps: RecordedEvent[] = [
        next(1, {
          type: 'TemporaryAccessIssued',
          data: {
            userId: 'u-alice',
            temporaryCodeHash: 'temp-hash',
            issuedAt: '2026-11-26T10:00:00.000Z',
            expiresAt: until,
            reason: 'lost phone',
            ticket: 'T-1',
          },
        }),
        next(2, { type: 'TemporaryAccessEnded', data: { userId: 'u-alice', why: 'frozen' } }),
        next(3, { type: 'AccountFrozen', data: { userId: 'u-alice', frozenAt: '2026-11-26T11:00:00.000Z' } }),
        next(4, { type: 'AccountUnfrozen', data: { userId: 'u-alice', reason: 'checked', ticket: 'T-2' } }),
      ];
      const alice = async () => (await readModels.loginByUserId('u-alice'))?.user;
      let previous = checkpoint;
      const apply = async (event: RecordedEvent) => {
        expect(await readModels.apply(event, previous)).toBe('applied');
        previous = event.position;
      };
      await apply(steps[0]!);
      expect(await alice()).toMatchObject({ twoFactor: 'none', temporaryAccessUntil: until });
      expect(JSON.stringify(await alice())).not.toContain('temp-hash');
      await apply(steps[1]!);
      await apply(steps[2]!);
      expect(await alice()).toMatchObject({ temporaryAccessUntil: null, frozen: true });
      await apply(steps[3]!);
      expect(await alice()).toMatchObject({ frozen: false });
    });

    it('keeps trusted browsers by token digest only, drops revoked ones, and carries the office’s trustBrowserDays', async () => {
      const checkpoint = await readModels.checkpoint();
      const recorded = new RecordedEvents();
      let offset = 0;
      const next = (streamId: string, event: Parameters<RecordedEvents['record']>[1]): RecordedEvent => {
        offset += 1;
        return { ...recorded.record(streamId, event), position: checkpoint + offset };
      };
      const digest = (n: number) => n.toString(16).padStart(64, 'a');
      const trust = (n: number, trustedAt: string, expiresAt: string) =>
        next(userSecurityStream('u-bob'), {
          type: 'BrowserTrusted',
          data: {
            userId: 'u-bob',
            browserId: `b${n}`,
            tokenDigest: digest(n),
            description: 'Firefox on Linux',
            trustedAt,
            expiresAt,
          },
        });
      const steps: RecordedEvent[] = [
        next(officeStream('o1'), {
          type: 'OfficeBrowserTrustChanged',
          data: { officeId: 'o1', trustBrowserDays: 30 },
        }),
        trust(1, '2026-11-26T10:00:00.000Z', '2026-12-26T10:00:00.000Z'),
        trust(2, '2026-11-27T10:00:00.000Z', '2026-12-27T10:00:00.000Z'),
        next(userSecurityStream('u-bob'), {
          type: 'TrustedBrowserUsed',
          data: { userId: 'u-bob', browserId: 'b1', usedAt: '2026-11-28T10:00:00.000Z' },
        }),
        next(userSecurityStream('u-bob'), {
          type: 'TrustedBrowserRevoked',
          data: { userId: 'u-bob', browserId: 'b1', why: 'by-user' },
        }),
        // Trusted after b2 expired: b2 is of no further use and goes.
        trust(3, '2027-01-01T10:00:00.000Z', '2027-01-08T10:00:00.000Z'),
      ];
      let previous = checkpoint;
      for (const event of steps.slice(0, 4)) {
        expect(await readModels.apply(event, previous)).toBe('applied');
        previous = event.position;
      }
      const bob = await readModels.loginByUsername('bob');
      expect(bob?.office?.trustBrowserDays).toBe(30);
      expect(bob?.user.trustedBrowsers).toEqual([
        {
          browserId: 'b1',
          tokenDigest: digest(1),
          trustedAt: '2026-11-26T10:00:00.000Z',
          expiresAt: '2026-12-26T10:00:00.000Z',
        },
        {
          browserId: 'b2',
          tokenDigest: digest(2),
          trustedAt: '2026-11-27T10:00:00.000Z',
          expiresAt: '2026-12-27T10:00:00.000Z',
        },
      ]);
      expect(await readModels.loginByUserId('u-bob')).toEqual(bob);
      expect(await readModels.officePolicy('o1')).toMatchObject({ trustBrowserDays: 30 });
      for (const event of steps.slice(4)) {
        expect(await readModels.apply(event, previous)).toBe('applied');
        previous = event.position;
      }
      expect(
        (await readModels.loginByUserId('u-bob'))?.user.trustedBrowsers?.map((t) => t.browserId),
      ).toEqual(['b3']);
    });

    it('takes the new password hash of PasswordChanged, by name and by id, so the next login checks it', async () => {
      const checkpoint = await readModels.checkpoint();
      const sealedHash = { keyId: '@subject', iv: 'bmV3', ciphertext: 'bmV3LWhhc2g=', tag: 'dGFn' };
      const changed: RecordedEvent = {
        ...new RecordedEvents().record(userAccountStream('u-carol'), {
          type: 'PasswordChanged',
          data: { userId: 'u-carol', passwordHash: sealedHash },
        }),
        revision: 1,
        position: checkpoint + 1,
      };
      expect(await readModels.apply(changed, checkpoint)).toBe('applied');
      expect((await readModels.loginByUsername('carol'))?.user.passwordHash).toEqual(sealedHash);
      expect((await readModels.loginByUserId('u-carol'))?.user).toMatchObject({
        passwordHash: sealedHash,
        role: 'office-admin',
      });
    });

    it('forgets an erased user: no lookup by name or id, no membership, the name free for someone new', async () => {
      const checkpoint = await readModels.checkpoint();
      const at = (offset: number, event: RecordedEvent): RecordedEvent => ({
        ...event,
        position: checkpoint + offset,
      });
      const registration = (userId: string, username: string) =>
        new RecordedEvents().record(userAccountStream(userId), {
          type: 'UserRegistered',
          data: { userId, officeId: 'o1', username, role: 'member', passwordHash: '$argon2id$x' },
        });
      const erasure = (userId: string) =>
        new RecordedEvents().record(userAccountStream(userId), {
          type: 'UserErased',
          data: { userId, reason: 'asked', ticket: 'DPO-1' },
        });
      expect(await readModels.apply(at(1, erasure('u-alice')), checkpoint)).toBe('applied');
      expect(await readModels.loginByUserId('u-alice')).toBeNull();
      expect(await readModels.loginByUsername('alice')).toBeNull();
      // Registered and erased in one batch, then the first name taken by someone new.
      const batch = [
        at(2, registration('u-erin', 'erin')),
        at(3, erasure('u-erin')),
        at(4, registration('u-alice2', 'alice')),
      ];
      expect(await readModels.applyBatch(batch, checkpoint + 1)).toBe('applied');
      expect(await readModels.loginByUserId('u-erin')).toBeNull();
      expect(await readModels.loginByUsername('erin')).toBeNull();
      expect((await readModels.loginByUsername('alice'))?.user.userId).toBe('u-alice2');
      const members = await readModels.officeMembers('o1', { after: null, limit: 10 });
      expect(members.items.map((member) => [member.username, member.userId])).toEqual([
        ['alice', 'u-alice2'],
        ['bob', 'u-bob'],
        ['carol', 'u-carol'],
      ]);
      expect(await readModels.checkpoint()).toBe(checkpoint + 4);
    });

    it('leaves a user whose registration it cannot open (erased before this projection) out entirely', async () => {
      const checkpoint = await readModels.checkpoint();
      const sealedRegistration = {
        ...new RecordedEvents().record(userAccountStream('u-sealed'), {
          type: 'UserRegistered',
          data: {
            userId: 'u-sealed',
            officeId: 'o1',
            username: secret,
            role: 'member',
            passwordHash: '$argon2id$x',
          },
        }),
        position: checkpoint + 1,
      };
      expect(await readModels.apply(sealedRegistration, checkpoint)).toBe('applied');
      expect(await readModels.loginByUserId('u-sealed')).toBeNull();
      const members = await readModels.officeMembers('o1', { after: null, limit: 10 });
      expect(members.items.map((member) => member.userId)).not.toContain('u-sealed');
    });

    it('carries the parameters of an imported enrolment, and restarts the replay guard when the step length changes', async () => {
      const checkpoint = await readModels.checkpoint();
      const imported = (userId: string, enrollmentId: string, offset: number, replaced: boolean) => ({
        ...new RecordedEvents().record(userSecurityStream(userId), {
          type: 'TotpImported',
          data: {
            userId,
            enrollmentId,
            secret,
            parameters: { algorithm: 'SHA256', digits: 8, period: 60 },
            source: { format: 'csv', line: 2 },
            importedAt: '2026-11-27T09:00:00.000Z',
            replaced,
          },
        }),
        position: checkpoint + offset,
      });
      expect(await readModels.apply(imported('u-carol', 'i-carol', 1, false), checkpoint)).toBe('applied');
      expect(await readModels.apply(imported('u-bob', 'i-bob', 2, true), checkpoint + 1)).toBe('applied');
      expect((await readModels.loginByUsername('carol'))?.user).toMatchObject({
        twoFactor: 'enrolled',
        enrollmentId: 'i-carol',
        enrolledAt: '2026-11-27T09:00:00.000Z',
        secret,
        totpParameters: { algorithm: 'SHA256', digits: 8, period: 60 },
        lastAcceptedStep: null,
        recoveryCodesLeft: 0,
      });
      // Bob's 30 s steps mean nothing on a 60 s scale: the replay guard starts afresh.
      expect((await readModels.loginByUsername('bob'))?.user).toMatchObject({
        enrollmentId: 'i-bob',
        totpParameters: { algorithm: 'SHA256', digits: 8, period: 60 },
        lastAcceptedStep: null,
        recoveryCodesLeft: 0,
      });
    });

    it('keeps a re-enrolment campaign on the office, lists every office by id, and the last second factor', async () => {
      const checkpoint = await readModels.checkpoint();
      const more = new RecordedEvents();
      let offset = 0;
      const next = (streamId: string, event: Parameters<RecordedEvents['record']>[1]): RecordedEvent => {
        offset += 1;
        return { ...more.record(streamId, event), position: checkpoint + offset };
      };
      const campaign = {
        officeId: 'o2',
        startedAt: '2026-11-26T10:00:00.000Z',
        deadline: '2026-12-10T00:00:00.000Z',
        reason: 'phishing wave',
      };
      const o2 = officeStream('o2');
      const registered = next(o2, {
        type: 'OfficeRegistered',
        data: { officeId: 'o2', name: 'Kantoor Brugge' },
      });
      const required = next(o2, { type: 'OfficeReenrollmentRequired', data: campaign });
      const verified = next(userSecurityStream('u-bob'), {
        type: 'SecondFactorVerified',
        data: { userId: 'u-bob', method: 'recovery-code', timeStep: null },
      });
      let previous = checkpoint;
      for (const event of [registered, required, verified]) {
        expect(await readModels.apply(event, previous)).toBe('applied');
        previous = event.position;
      }
      const { officeId: _, ...reenrollment } = campaign;
      expect(await readModels.officePolicy('o2')).toEqual({
        officeId: 'o2',
        name: 'Kantoor Brugge',
        required: false,
        enforceFrom: null,
        trustBrowserDays: 0,
        reenrollment,
        revision: 1,
      });
      expect((await readModels.offices()).map((office) => office.officeId)).toEqual(['o1', 'o2']);
      const bob = (await readModels.officeMembers('o1', { after: null, limit: 3 })).items[1];
      expect(bob?.lastSecondFactorAt).toBe(verified.metadata.occurredAt);
      const ended = next(o2, {
        type: 'OfficeReenrollmentEnded',
        data: { officeId: 'o2', endedAt: '2026-11-27T00:00:00.000Z' },
      });
      expect(await readModels.apply(ended, previous)).toBe('applied');
      expect(await readModels.officePolicy('o2')).toMatchObject({ reenrollment: null, revision: 2 });
    });
  });

  describe(`ReadModels contract: ${name}: which set serves`, () => {
    let subject: ReadModelsUnderTest;
    let readModels: ReadModels & ProjectionTarget;
    const events = story();
    const head = events.at(-1)?.position ?? 0;
    const notServing = async (readers: ReadModels) => {
      await expect(readers.loginByUsername('alice')).rejects.toBeInstanceOf(ReadModelsRebuildingError);
      await expect(readers.loginByUserId('u-alice')).rejects.toBeInstanceOf(ReadModelsRebuildingError);
      await expect(readers.officePolicy('o1')).rejects.toBeInstanceOf(ReadModelsRebuildingError);
      await expect(readers.officeMembers('o1', { after: null, limit: 5 })).rejects.toBeInstanceOf(
        ReadModelsRebuildingError,
      );
      await expect(readers.waitFor(1, 20)).rejects.toBeInstanceOf(ReadModelsRebuildingError);
    };

    beforeAll(async () => {
      subject = await open();
      readModels = subject.readModels;
    });
    afterAll(async () => subject?.dispose?.());

    it('serves nothing and takes no event before a build was started and promoted', async () => {
      expect(await readModels.origin()).toBeNull();
      expect(await readModels.unfinishedBuild()).toBeNull();
      await notServing(readModels);
      expect(await readModels.apply(events[0]!, 0)).toBe('behind');
    });

    it('serves a build only once it reached its target, and records the store it came from', async () => {
      const build = await readModels.startBuild('store-a', head);
      expect(await build.origin()).toEqual({
        setId: expect.any(String),
        storeId: 'store-a',
        target: head,
        checkpoint: 0,
        serving: false,
        rejected: false,
        projection: projectionVersion,
      });
      await applyAll(build, events.slice(0, 3));
      expect(await build.promote()).toBe(false);
      await notServing(readModels);
      // Interrupted here: the next projector resumes the same build from its checkpoint.
      const resumed = await readModels.unfinishedBuild();
      expect(await resumed?.checkpoint()).toBe(events[2]?.position);
      await applyAll(resumed!, events.slice(3));
      expect(await resumed!.promote()).toBe(true);
      expect(await readModels.origin()).toEqual({
        setId: (await resumed!.origin())?.setId,
        storeId: 'store-a',
        target: head,
        checkpoint: head,
        serving: true,
        rejected: false,
        projection: projectionVersion,
      });
      expect((await readModels.loginByUsername('bob'))?.user.twoFactor).toBe('enrolled');
      expect(await readModels.waitFor(head, 50)).toBe(true);
      expect(await readModels.unfinishedBuild()).toBeNull();
    });

    it('keeps following the promoted set with the checkpoint fence', async () => {
      const lifted = {
        ...events[0]!,
        type: 'OfficeTwoFactorRequirementLifted',
        data: { officeId: 'o1' },
        revision: 2,
        position: head + 1,
      };
      expect(await readModels.apply(lifted, head - 1)).toBe('behind');
      expect(await readModels.apply(lifted, head)).toBe('applied');
      expect(await readModels.officePolicy('o1')).toMatchObject({ required: false });
      expect((await readModels.origin())?.checkpoint).toBe(head + 1);
    });

    it('answers nothing from a rejected set, never resumes it, and serves a new build of another store', async () => {
      const judged = (await readModels.origin())?.setId ?? '';
      // A set promoted since the judgement is not the one rejected.
      await readModels.reject(`${judged}-an-older-set`);
      expect(await readModels.origin()).toMatchObject({ serving: true, rejected: false });
      await readModels.reject(judged);
      expect(await readModels.origin()).toMatchObject({ storeId: 'store-a', serving: false, rejected: true });
      await notServing(readModels);
      expect(await readModels.unfinishedBuild()).toBeNull();
      const build = await readModels.startBuild('store-b', 2);
      await applyAll(build, events.slice(0, 2));
      expect(await build.promote()).toBe(true);
      expect(await readModels.origin()).toMatchObject({ storeId: 'store-b', checkpoint: 2, serving: true });
      expect(await readModels.loginByUsername('carol')).not.toBeNull();
      expect(await readModels.loginByUsername('alice')).toBeNull();
    });

    it('applies batches handed to a build before the one before was answered, in turn, and refuses those after a refused one', async () => {
      const pages = [events.slice(0, 3), events.slice(3, 6), events.slice(6)];
      const endOf = (page: number) => pages[page]?.at(-1)?.position ?? 0;
      const build = await readModels.startBuild('store-a', head);
      const outcomes = await Promise.all([
        build.applyBatch(pages[0]!, 0),
        build.applyBatch(pages[1]!, endOf(0)),
        build.applyBatch(pages[2]!, endOf(1)),
      ]);
      expect(outcomes).toEqual(['applied', 'applied', 'applied']);
      expect(await build.promote()).toBe(true);
      expect((await readModels.loginByUsername('bob'))?.user).toMatchObject({
        twoFactor: 'enrolled',
        recoveryCodesLeft: 9,
      });
      const refused = await readModels.startBuild('store-a', head);
      const afterRefused = await Promise.all([
        refused.applyBatch(pages[1]!, endOf(0)),
        refused.applyBatch(pages[2]!, endOf(1)),
      ]);
      expect(afterRefused).toEqual(['behind', 'behind']);
      expect(await refused.checkpoint()).toBe(0);
    });
  });
};
