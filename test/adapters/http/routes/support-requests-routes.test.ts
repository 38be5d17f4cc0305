import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { codeAt, waitForStepWithAtLeast } from '../../../support/totp-codes.ts';
import { webhookReceiver } from '../../../support/webhook-receiver.ts';
import {
  expectInvalidRequest,
  expectProblem,
  type Json,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

const why = { reason: 'Lost phone, identity checked by call-back', ticket: 'SUP-4E' };
const dayMs = 24 * 3_600_000;

/** The system clock, moved forward by the tests that pass a request's deadline. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

type Pending = { requestId: string; action: string; userId: string; username: string | null } & Json;
type HistoryEvent = { type: string; data: Json; actor: Json; approvedBy?: Json };

describe('four-eyes (SUPPORT_APPROVAL=required): support requests and approvals', () => {
  let t: RouteTestService;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let officeId: string;
  let ann: string;
  let bob: string;
  let annId: string;
  let bobId: string;
  let users = 0;
  const fresh = (prefix: string) => `${prefix}-${++users}`;

  const ask = (path: string, userId: string, token = ann, body: unknown = why) =>
    t.call('POST', `/v1/support/users/${userId}/${path}`, { body, token });
  const asked = async (path: string, userId: string, token = ann) => {
    const reply = await ask(path, userId, token);
    expect(reply.statusCode, reply.body).toBe(202);
    const body = reply.json() as { requestId: string; status: string; expiresAt: string; userId: string };
    expect(body).toMatchObject({ userId, status: 'awaiting-approval' });
    return body;
  };
  const approve = (requestId: string, token = bob) =>
    t.call('POST', `/v1/support/requests/${requestId}/approval`, { token });
  const withdraw = (requestId: string, token = ann) =>
    t.call('POST', `/v1/support/requests/${requestId}/withdrawal`, { token });
  const pending = async (token = ann) => {
    const reply = await t.call('GET', '/v1/support/requests', { token });
    expect(reply.statusCode, reply.body).toBe(200);
    return (reply.json() as { items: Pending[] }).items;
  };
  const find = (username: string) =>
    t.call('GET', `/v1/support/users?username=${encodeURIComponent(username)}`, { token: ann });
  const historyOf = async (userId: string) => {
    const reply = await t.call('GET', `/v1/audit/events?userId=${userId}`, { token: ann });
    expect(reply.statusCode, reply.body).toBe(200);
    return (reply.json() as { items: HistoryEvent[] }).items;
  };
  const login = (username: string, code?: string) =>
    t.call('POST', '/v1/login', {
      body: code === undefined ? { username, password } : { username, password, code },
    });
  const withRole = async (role: string) => {
    const username = fresh(`as-${role}`);
    await t.createUser(officeId, username, role);
    return t.signIn(username);
  };
  const ok = (reply: LightMyRequestResponse) => {
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json() as Json;
  };

  beforeAll(async () => {
    hooks = await webhookReceiver();
    t = await startRouteTestService(
      {
        SUPPORT_APPROVAL: 'required',
        // Sessions outlive the day the expiry test skips.
        SESSION_TTL_SECONDS: String(30 * 24 * 3600),
        WEBHOOK_URL: hooks.url,
        WEBHOOK_SECRET: 'four-eyes-webhook-secret',
      },
      { clock },
    );
    officeId = await t.createOffice('Helpdesk office');
    annId = await t.createUser(officeId, 'ann', 'support');
    bobId = await t.createUser(officeId, 'bob', 'support');
    ann = await t.signIn('ann');
    bob = await t.signIn('bob');
    await waitForStepWithAtLeast(15);
  });
  afterAll(async () => {
    await t?.stop();
    await hooks?.close();
  });

  describe('a reset', () => {
    it('waits (202) until another agent approves; then it happens, as asked, with the approver recorded (200)', async () => {
      const username = fresh('lost-phone');
      const { userId, secret } = await t.enrolledUser(officeId, username);
      const { requestId, expiresAt } = await asked('two-factor-reset', userId);
      expect(Date.parse(expiresAt) - clock.now().getTime()).toBeGreaterThan(23.9 * 3_600_000);
      // Nothing happened yet: the authenticator still works.
      expect((await find(username)).json()).toMatchObject({ twoFactor: 'enrolled' });
      expect((await login(username, codeAt(secret))).json()).toMatchObject({ status: 'authenticated' });
      const listed = (await pending(bob)).find((request) => request.requestId === requestId);
      expect(listed).toMatchObject({
        action: 'two-factor-reset',
        userId,
        username,
        ...why,
        requestedBy: { id: annId, role: 'support' },
        requestedByUsername: 'ann',
        expiresAt,
      });
      expectProblem(await approve(requestId, ann), 403, 'own-support-request');

      expect(ok(await approve(requestId))).toEqual({
        requestId,
        userId,
        action: 'two-factor-reset',
        nextLogin: 'password-only',
      });
      expect((await find(username)).json()).toMatchObject({ twoFactor: 'none' });
      expect((await pending()).some((request) => request.requestId === requestId)).toBe(false);
      const history = await historyOf(userId);
      const types = history.map((event) => event.type);
      expect(types.indexOf('SupportActionApproved')).toBeLessThan(types.indexOf('SupportReset'));
      expect(history.find((event) => event.type === 'SupportActionRequested')).toMatchObject({
        actor: { id: annId, role: 'support' },
        data: { requestId, ...why },
      });
      expect(history.find((event) => event.type === 'SupportActionApproved')).toMatchObject({
        actor: { id: bobId },
        data: { requestId, approvedBy: { id: bobId } },
      });
      expect(history.find((event) => event.type === 'SupportReset')).toMatchObject({
        actor: { id: annId, role: 'support' },
        approvedBy: { id: bobId, role: 'support' },
        data: why,
      });
      // The approver is part of what the hash chain covers, in the user's stream and in the queue's.
      for (const streamId of [`user-security-${userId}`, 'support-requests']) {
        const verified = await t.call('GET', `/v1/audit/verification?streamId=${streamId}`, { token: ann });
        expect(verified.json()).toMatchObject({ intact: true, firstBroken: null });
      }
      expect(await hooks.nth('two-factor-reset-by-support', userId)).toMatchObject({
        details: { ticket: why.ticket },
      });
    });

    it('approving twice is refused (409 support-request-closed)', async () => {
      const userId = await t.createUser(officeId, fresh('twice'));
      const { requestId } = await asked('two-factor-reset', userId);
      ok(await approve(requestId));
      expectProblem(await approve(requestId), 409, 'support-request-closed');
    });

    it('two approvals at once: one runs the reset (200), the other is refused (409), one reset recorded', async () => {
      const userId = await t.createUser(officeId, fresh('raced'));
      const { requestId } = await asked('two-factor-reset', userId);
      const carol = await withRole('support');
      const answers = await Promise.all([approve(requestId, bob), approve(requestId, carol)]);
      expect(answers.map((reply) => reply.statusCode).sort()).toEqual([200, 409]);
      const history = await historyOf(userId);
      expect(history.filter((event) => event.type === 'SupportActionApproved')).toHaveLength(1);
      expect(history.filter((event) => event.type === 'SupportReset')).toHaveLength(1);
    });

    it('the same request for the same user cannot wait twice (409 support-request-pending)', async () => {
      const userId = await t.createUser(officeId, fresh('again'));
      await asked('two-factor-reset', userId);
      expectProblem(await ask('two-factor-reset', userId, bob), 409, 'support-request-pending');
    });
  });

  describe('temporary access', () => {
    it('the code is made at the approval and shown to the approver only; it is nowhere in the history', async () => {
      const username = fresh('temporary');
      const { userId } = await t.enrolledUser(officeId, username);
      const requestedReply = await ask('temporary-access', userId);
      expect(requestedReply.statusCode, requestedReply.body).toBe(202);
      expect(requestedReply.json()).not.toHaveProperty('code');
      const { requestId } = requestedReply.json() as { requestId: string };
      const approved = ok(await approve(requestId)) as { code: string; expiresAt: string; action: string };
      expect(approved).toMatchObject({ requestId, userId, action: 'temporary-access' });
      expect(approved.code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
      expect((await login(username, approved.code)).json()).toMatchObject({ status: 'enrollment-required' });
      const history = await historyOf(userId);
      expect(history.find((event) => event.type === 'TemporaryAccessIssued')).toMatchObject({
        actor: { id: annId },
        approvedBy: { id: bobId },
        data: { ...why, expiresAt: approved.expiresAt },
      });
      expect(JSON.stringify(history)).not.toContain(approved.code);
      // Nor in the store itself, in any spelling of it.
      const store = new SqliteEventStore(join(t.dataDir, 'events.sqlite'));
      const stored = JSON.stringify(await store.readAll(0, 1_000_000)).toLowerCase();
      await store.close();
      expect(stored).not.toContain(approved.code);
      expect(stored).not.toContain(approved.code.replaceAll('-', ''));
      expect(JSON.stringify(history.find((event) => event.type === 'SupportActionRequested'))).not.toMatch(
        /code/i,
      );
    });
  });

  describe('an erasure', () => {
    it('waits for a second agent; the user can log in until then, and not after (200)', async () => {
      const username = fresh('forget-me');
      const userId = await t.createUser(officeId, username);
      const { requestId } = await asked('erasure', userId, bob);
      expect((await login(username)).json()).toMatchObject({ status: 'authenticated' });
      const approved = ok(await approve(requestId, ann));
      expect(approved).toMatchObject({ requestId, userId, action: 'erasure', erasedAt: expect.any(String) });
      expectProblem(await find(username), 404, 'not-found');
      expectProblem(await login(username), 401, 'invalid-credentials');
      const erased = (await historyOf(userId)).find((event) => event.type === 'UserErased');
      expect(erased).toMatchObject({ actor: { id: bobId }, approvedBy: { id: annId }, data: why });
    });
  });

  describe('POST /v1/support/requests/{requestId}/withdrawal', () => {
    it('the agent who asked withdraws it (200); it can no longer be approved or withdrawn (409)', async () => {
      const userId = await t.createUser(officeId, fresh('withdrawn'));
      const { requestId } = await asked('two-factor-reset', userId);
      expect(ok(await withdraw(requestId))).toEqual({ requestId });
      expect((await pending()).some((request) => request.requestId === requestId)).toBe(false);
      expectProblem(await approve(requestId), 409, 'support-request-closed');
      expectProblem(await withdraw(requestId), 409, 'support-request-closed');
      expect((await historyOf(userId)).map((event) => event.type)).toContain('SupportActionWithdrawn');
    });

    it("another agent cannot withdraw it (403 not-permitted); they just don't approve", async () => {
      const userId = await t.createUser(officeId, fresh('not-yours'));
      const { requestId } = await asked('two-factor-reset', userId);
      expectProblem(await withdraw(requestId, bob), 403, 'not-permitted');
    });
  });

  describe('errors', () => {
    it('an unknown request (404 support-request-not-found), an unknown user (404 not-found)', async () => {
      expectProblem(await approve('no-such-request'), 404, 'support-request-not-found');
      expectProblem(await withdraw('no-such-request'), 404, 'support-request-not-found');
      expectProblem(await ask('two-factor-reset', 'no-such-user'), 404, 'not-found');
    });

    it('a malformed request id or body (400)', async () => {
      expectInvalidRequest(await approve('bad id!'), 'requestId');
      expectInvalidRequest(await withdraw('bad id!'), 'requestId');
      const userId = await t.createUser(officeId, fresh('no-reason'));
      expectInvalidRequest(await ask('erasure', userId, ann, { ticket: 'T-1' }), 'reason');
    });

    it('a frozen account: no request (403), and no approval when it froze meanwhile (403, nothing recorded)', async () => {
      const username = fresh('frozen');
      const { userId } = await t.enrolledUser(officeId, username);
      const { requestId } = await asked('temporary-access', userId);
      const { freezeToken } = await hooks.nth('two-factor-enrolled', userId);
      ok(await t.call('POST', '/v1/freeze', { body: { token: freezeToken } }));
      expectProblem(await approve(requestId), 403, 'account-frozen');
      expectProblem(await ask('two-factor-reset', userId), 403, 'account-frozen');
      const types = (await historyOf(userId)).map((event) => event.type);
      expect(types).not.toContain('SupportActionApproved');
      expect(types).not.toContain('TemporaryAccessIssued');
    });
  });

  describe('roles', () => {
    it('only support lists, approves and withdraws (403 for the other roles, 401 without a session)', async () => {
      const userId = await t.createUser(officeId, fresh('target'));
      const { requestId } = await asked('two-factor-reset', userId);
      for (const role of ['member', 'office-admin', 'auditor']) {
        const token = await withRole(role);
        expectProblem(await t.call('GET', '/v1/support/requests', { token }), 403, 'not-permitted');
        expectProblem(await approve(requestId, token), 403, 'not-permitted');
        expectProblem(await withdraw(requestId, token), 403, 'not-permitted');
        expectProblem(await ask('two-factor-reset', userId, token), 403, 'not-permitted');
      }
      expectProblem(await t.call('GET', '/v1/support/requests'), 401, 'unauthenticated');
      expectProblem(
        await t.call('POST', `/v1/support/requests/${requestId}/approval`),
        401,
        'unauthenticated',
      );
      expectProblem(
        await t.call('POST', `/v1/support/requests/${requestId}/withdrawal`),
        401,
        'unauthenticated',
      );
    });
  });

  // Last: it moves the clock a day on, past every open request's deadline.
  describe('expiry after 24 hours', () => {
    it('an expired request is no longer listed, cannot be approved or withdrawn (410), and its expiry is recorded', async () => {
      const username = fresh('too-late');
      const userId = await t.createUser(officeId, username);
      const { requestId } = await asked('two-factor-reset', userId);
      clock.offsetMs += dayMs;
      expect((await pending(bob)).some((request) => request.requestId === requestId)).toBe(false);
      expectProblem(await approve(requestId), 410, 'support-request-expired');
      expectProblem(await withdraw(requestId), 410, 'support-request-expired');
      const history = await historyOf(userId);
      expect(history.filter((event) => event.type === 'SupportActionExpired')).toEqual([
        expect.objectContaining({
          actor: expect.objectContaining({ role: 'system' }),
          data: expect.objectContaining({ requestId }),
        }),
      ]);
      expect(history.map((event) => event.type)).not.toContain('SupportReset');
      // Past the deadline the same reset may be asked for again.
      await asked('two-factor-reset', userId);
    });
  });
});
