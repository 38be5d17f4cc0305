import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginChallenge, Session, SessionStore } from '../../src/application/ports/session-store.ts';

export type SessionStoreUnderTest = { sessions: SessionStore; dispose?: () => Promise<void> };

const session = (userId: string): Session => ({
  userId,
  officeId: 'o1',
  role: 'member',
  username: userId,
  createdAt: '2026-11-26T10:00:00.000Z',
});
const challenge: LoginChallenge = {
  userId: 'u1',
  kind: 'second-factor',
  createdAt: '2026-11-26T10:00:00.000Z',
};

/** The behaviour every SessionStore adapter must show. */
export const sessionStoreContract = (name: string, open: () => Promise<SessionStoreUnderTest>): void => {
  describe(`SessionStore contract: ${name}`, () => {
    let subject: SessionStoreUnderTest;
    let sessions: SessionStore;

    beforeAll(async () => {
      subject = await open();
      sessions = subject.sessions;
    });
    afterAll(async () => subject?.dispose?.());

    it('issues an opaque token of at least 256 bits that finds its session', async () => {
      const token = await sessions.createSession(session('u-a'), 60);
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(await sessions.getSession(token)).toEqual(session('u-a'));
      expect(await sessions.getSession(`${token}x`)).toBeNull();
    });

    it('ends one session on logout', async () => {
      const token = await sessions.createSession(session('u-b'), 60);
      await sessions.revokeSession(token);
      expect(await sessions.getSession(token)).toBeNull();
    });

    it("ends all of a user's sessions except the one asked to keep, and no one else's", async () => {
      const kept = await sessions.createSession(session('u-c'), 60);
      const other = await sessions.createSession(session('u-c'), 60);
      const someoneElse = await sessions.createSession(session('u-d'), 60);
      await sessions.revokeUserSessions('u-c', kept);
      expect(await sessions.getSession(kept)).not.toBeNull();
      expect(await sessions.getSession(other)).toBeNull();
      expect(await sessions.getSession(someoneElse)).not.toBeNull();
      await sessions.revokeUserSessions('u-c');
      expect(await sessions.getSession(kept)).toBeNull();
    });

    it('expires a session after its TTL', async () => {
      const token = await sessions.createSession(session('u-e'), 1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await sessions.getSession(token)).toBeNull();
    });

    it('reads a challenge without using it up', async () => {
      const token = await sessions.createChallenge(challenge, 60);
      expect(await sessions.getChallenge(token)).toEqual(challenge);
      expect(await sessions.getChallenge(token)).toEqual(challenge);
    });

    it('turns a challenge into a session for exactly one of 20 concurrent callers, once', async () => {
      const token = await sessions.createChallenge(challenge, 60);
      const tokens = await Promise.all(
        Array.from({ length: 20 }, () => sessions.consumeChallengeForSession(token, session('u1'), 60)),
      );
      const issued = tokens.filter((result) => result !== null);
      expect(issued).toHaveLength(1);
      expect(await sessions.getSession(issued[0]!)).toEqual(session('u1'));
      expect(await sessions.getChallenge(token)).toBeNull();
      expect(await sessions.consumeChallenge(token)).toBeNull();
      // The session counts among the user's: ending them all ends it.
      await sessions.revokeUserSessions('u1');
      expect(await sessions.getSession(issued[0]!)).toBeNull();
    });

    it('starts no session from a challenge that is used up or unknown', async () => {
      const token = await sessions.createChallenge(challenge, 60);
      expect(await sessions.consumeChallenge(token)).toEqual(challenge);
      expect(await sessions.consumeChallengeForSession(token, session('u1'), 60)).toBeNull();
      expect(await sessions.consumeChallengeForSession('not-a-challenge', session('u1'), 60)).toBeNull();
      const expiring = await sessions.createChallenge(challenge, 1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await sessions.consumeChallengeForSession(expiring, session('u1'), 60)).toBeNull();
    });

    it('hands a challenge to exactly one of 20 concurrent consumers', async () => {
      const token = await sessions.createChallenge(challenge, 60);
      const results = await Promise.all(Array.from({ length: 20 }, () => sessions.consumeChallenge(token)));
      expect(results.filter((result) => result !== null)).toEqual([challenge]);
      expect(await sessions.getChallenge(token)).toBeNull();
    });
  });
};
