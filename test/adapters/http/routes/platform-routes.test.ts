import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKey,
  expectInvalidRequest,
  expectProblem,
  password,
  type RouteTestService,
  startRouteTestService,
} from './route-test-service.ts';

describe('platform routes', () => {
  let t: RouteTestService;
  let officeId: string;

  beforeAll(async () => {
    t = await startRouteTestService();
    officeId = await t.createOffice('Platform office');
  });
  afterAll(async () => {
    await t?.stop();
  });

  describe('POST /v1/platform/offices', () => {
    it('registers an office with a generated id (201)', async () => {
      const reply = await t.platform('POST', '/v1/platform/offices', { name: 'Generated' });
      expect(reply.statusCode).toBe(201);
      expect((reply.json() as { officeId: string }).officeId).toMatch(/^[\w.-]+$/);
    });

    it('registers an office under the id the platform gives (201)', async () => {
      const reply = await t.platform('POST', '/v1/platform/offices', {
        officeId: 'office-given',
        name: 'Given',
      });
      expect(reply.statusCode).toBe(201);
      expect(reply.json()).toEqual({ officeId: 'office-given' });
    });

    it('refuses an office id that exists already (409 office-already-registered)', async () => {
      await t.platform('POST', '/v1/platform/offices', { officeId: 'office-twice', name: 'Once' });
      const reply = await t.platform('POST', '/v1/platform/offices', {
        officeId: 'office-twice',
        name: 'Twice',
      });
      expectProblem(reply, 409, 'office-already-registered');
    });

    it('refuses a request without X-Api-Key (401 unauthenticated)', async () => {
      const reply = await t.call('POST', '/v1/platform/offices', { body: { name: 'No key' } });
      expectProblem(reply, 401, 'unauthenticated');
    });

    it('refuses a wrong X-Api-Key (401 unauthenticated)', async () => {
      const reply = await t.call('POST', '/v1/platform/offices', {
        body: { name: 'Wrong key' },
        headers: { 'x-api-key': 'not-the-key' },
      });
      expectProblem(reply, 401, 'unauthenticated');
    });

    it('refuses a blank name (400 invalid-request naming the field)', async () => {
      expectInvalidRequest(await t.platform('POST', '/v1/platform/offices', { name: '   ' }), 'name');
    });

    it('refuses a missing name (400)', async () => {
      expectInvalidRequest(await t.platform('POST', '/v1/platform/offices', {}), 'name');
    });

    it('refuses an office id with forbidden characters (400)', async () => {
      expectInvalidRequest(
        await t.platform('POST', '/v1/platform/offices', { officeId: 'a/b c', name: 'Bad id' }),
        'officeId',
      );
    });

    it('refuses unknown fields (400)', async () => {
      expectInvalidRequest(await t.platform('POST', '/v1/platform/offices', { name: 'X', extra: true }));
    });

    it('refuses a body that is not JSON (400 invalid-request)', async () => {
      const reply = await t.call('POST', '/v1/platform/offices', {
        body: '{"name":',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      });
      expectProblem(reply, 400, 'invalid-request');
    });
  });

  describe('POST /v1/platform/users', () => {
    it('registers a user with a normalized username (201)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'New-User',
        password,
        role: 'member',
      });
      expect(reply.statusCode).toBe(201);
      const body = reply.json() as { userId: string; username: string };
      expect(body.userId).toEqual(expect.any(String));
      expect(body.username).toBe('new-user');
    });

    it('registers a user under the id the platform gives (201)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        userId: 'user-given',
        officeId,
        username: 'given-user',
        password,
        role: 'auditor',
      });
      expect(reply.statusCode).toBe(201);
      expect(reply.json()).toEqual({ userId: 'user-given', username: 'given-user' });
    });

    it('refuses a username that is taken (409 user-already-registered)', async () => {
      await t.createUser(officeId, 'taken');
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'taken',
        password,
        role: 'member',
      });
      expectProblem(reply, 409, 'user-already-registered');
    });

    it('refuses a taken username in another case (409 user-already-registered)', async () => {
      await t.createUser(officeId, 'casey');
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'CASEY',
        password,
        role: 'member',
      });
      expectProblem(reply, 409, 'user-already-registered');
    });

    it('refuses a user id that exists already (409 user-already-registered)', async () => {
      await t.platform('POST', '/v1/platform/users', {
        userId: 'user-twice',
        officeId,
        username: 'first-name',
        password,
        role: 'member',
      });
      const reply = await t.platform('POST', '/v1/platform/users', {
        userId: 'user-twice',
        officeId,
        username: 'second-name',
        password,
        role: 'member',
      });
      expectProblem(reply, 409, 'user-already-registered');
    });

    it('leaves the username free when the user id is taken (409, then the username registers)', async () => {
      await t.platform('POST', '/v1/platform/users', {
        userId: 'user-id-clash',
        officeId,
        username: 'clash-first',
        password,
        role: 'member',
      });
      const clash = await t.platform('POST', '/v1/platform/users', {
        userId: 'user-id-clash',
        officeId,
        username: 'clash-second',
        password,
        role: 'member',
      });
      expectProblem(clash, 409, 'user-already-registered');
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'clash-second',
        password,
        role: 'member',
      });
      expect(reply.statusCode, reply.body).toBe(201);
    });

    it('refuses a username of spaces only (400 invalid-command), and the service goes on', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: '   ',
        password,
        role: 'member',
      });
      expectProblem(reply, 400, 'invalid-command');
      await t.createUser(officeId, 'after-blank');
      await t.signIn('after-blank');
    });

    it('refuses a username that normalizing makes longer than 200 characters (400 invalid-command)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: '\u0130'.repeat(150),
        password,
        role: 'member',
      });
      expectProblem(reply, 400, 'invalid-command');
      await t.createUser(officeId, 'after-long');
      await t.signIn('after-long');
    });

    it('refuses an unknown office (404 office-not-found)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId: 'no-such-office',
        username: 'homeless',
        password,
        role: 'member',
      });
      expectProblem(reply, 404, 'office-not-found');
    });

    it('refuses a password shorter than 8 characters (400 password-too-short)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'short-pw',
        password: 'short',
        role: 'member',
      });
      expectProblem(reply, 400, 'password-too-short');
    });

    it('refuses an unknown role (400 naming the field)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'bad-role',
        password,
        role: 'emperor',
      });
      expectInvalidRequest(reply, 'role');
    });

    it('refuses the platform role, which is no user role (400)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: 'platform-role',
        password,
        role: 'platform',
      });
      expectInvalidRequest(reply, 'role');
    });

    it('refuses missing fields, listing each of them (400)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {});
      expectInvalidRequest(reply, 'officeId', 'username', 'password', 'role');
    });

    it('refuses an empty username (400)', async () => {
      const reply = await t.platform('POST', '/v1/platform/users', {
        officeId,
        username: '',
        password,
        role: 'member',
      });
      expectInvalidRequest(reply, 'username');
    });

    it('refuses a request without X-Api-Key (401 unauthenticated)', async () => {
      const reply = await t.call('POST', '/v1/platform/users', {
        body: { officeId, username: 'no-key', password, role: 'member' },
      });
      expectProblem(reply, 401, 'unauthenticated');
    });
  });

  describe('PUT /v1/platform/users/{userId}/role', () => {
    it("changes a user's role (200)", async () => {
      const userId = await t.createUser(officeId, 'promoted');
      const reply = await t.platform('PUT', `/v1/platform/users/${userId}/role`, { role: 'support' });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({ userId, role: 'support' });
    });

    it('accepts the same role again (200)', async () => {
      const userId = await t.createUser(officeId, 'same-role');
      const reply = await t.platform('PUT', `/v1/platform/users/${userId}/role`, { role: 'member' });
      expect(reply.statusCode).toBe(200);
    });

    it('refuses an unknown user (404 user-not-found)', async () => {
      const reply = await t.platform('PUT', '/v1/platform/users/no-such-user/role', { role: 'member' });
      expectProblem(reply, 404, 'user-not-found');
    });

    it('refuses an unknown role (400)', async () => {
      const userId = await t.createUser(officeId, 'role-typo');
      expectInvalidRequest(
        await t.platform('PUT', `/v1/platform/users/${userId}/role`, { role: 'admin' }),
        'role',
      );
    });

    it('refuses a user id with forbidden characters (400)', async () => {
      expectInvalidRequest(await t.platform('PUT', '/v1/platform/users/bad%20id/role', { role: 'member' }));
    });

    it('refuses a request without X-Api-Key (401 unauthenticated)', async () => {
      const reply = await t.call('PUT', '/v1/platform/users/anyone/role', { body: { role: 'member' } });
      expectProblem(reply, 401, 'unauthenticated');
    });
  });

  describe('GET /v1/platform/users/{userId}/login-requirements', () => {
    it('says none for a user without 2FA in an office without the requirement (200)', async () => {
      const userId = await t.createUser(officeId, 'plain');
      const reply = await t.platform('GET', `/v1/platform/users/${userId}/login-requirements`);
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toEqual({ secondFactor: 'none' });
    });

    it('says required for an enrolled user (200)', async () => {
      const { userId } = await t.enrolledUser(officeId, 'enrolled-plat');
      const reply = await t.platform('GET', `/v1/platform/users/${userId}/login-requirements`);
      expect(reply.json()).toEqual({ secondFactor: 'required' });
    });

    it('says enrollment-required when the office requires 2FA and the user has none (200)', async () => {
      const strict = await t.createOffice('Strict office');
      const userId = await t.createUser(strict, 'strict-member');
      await t.createUser(strict, 'strict-admin', 'office-admin');
      const admin = await t.signIn('strict-admin');
      const put = await t.call('PUT', `/v1/offices/${strict}/two-factor-policy`, {
        body: { required: true },
        token: admin,
      });
      expect(put.statusCode, put.body).toBe(200);
      const reply = await t.platform('GET', `/v1/platform/users/${userId}/login-requirements`);
      expect(reply.json()).toEqual({ secondFactor: 'enrollment-required' });
    });

    it('refuses an unknown user (404 not-found)', async () => {
      expectProblem(
        await t.platform('GET', '/v1/platform/users/nobody/login-requirements'),
        404,
        'not-found',
      );
    });

    it('refuses a user id with forbidden characters (400)', async () => {
      expectInvalidRequest(await t.platform('GET', '/v1/platform/users/a%24b/login-requirements'));
    });

    it('refuses a request without X-Api-Key (401 unauthenticated)', async () => {
      expectProblem(
        await t.call('GET', '/v1/platform/users/anyone/login-requirements'),
        401,
        'unauthenticated',
      );
    });
  });
});
