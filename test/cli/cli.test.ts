import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { usernameAssociatedData } from '../../src/application/ports/personal-data-vault.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { EncryptedSecret } from '../../src/domain/shared/encrypted-secret.ts';
import { startService } from '../../src/main.ts';
import { serviceVault } from '../support/vault.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/second-factor.js'), ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      REDIS_URL: '',
      EVENTSTORE_URL: '',
      DATABASE_URL: '',
      ...options.env,
    },
  });

describe('second-factor CLI', () => {
  it('creates an office and its first admin, who can then log in to the service', async () => {
    const office = cli(['offices', 'create', '--name', 'Kantoor Brugge']);
    expect(office.status, office.stderr).toBe(0);
    const officeId = office.stdout.trim().split(' ').at(-1) ?? '';
    const user = cli(
      ['users', 'create', '--office', officeId, '--username', 'First.Admin', '--role', 'office-admin'],
      {
        input: 'first admin password\n',
      },
    );
    expect(user.status, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/user created: .+ \(first\.admin, office-admin\)/);
    expect(user.stdout + user.stderr).not.toContain('first admin password');

    const service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      const login = await service.app.inject({
        method: 'POST',
        url: '/v1/login',
        payload: { username: 'first.admin', password: 'first admin password' },
      });
      expect(login.json()).toMatchObject({ status: 'authenticated' });
    } finally {
      await service.stop();
    }
  });

  it('erases a user: the service then refuses their login, and their sealed username cannot be opened', async () => {
    const office = cli(['offices', 'create', '--name', 'Kantoor Erase']);
    const officeId = office.stdout.trim().split(' ').at(-1) ?? '';
    const created = cli(
      ['users', 'create', '--office', officeId, '--username', 'leaving.user', '--role', 'member'],
      {
        input: 'leaving user password\n',
      },
    );
    const userId = created.stdout.match(/user created: (\S+)/)?.[1] ?? '';
    const erased = cli([
      'users',
      'erase',
      userId,
      '--ticket',
      'DPO-9',
      '--reason',
      'Left and asked to be forgotten',
    ]);
    expect(erased.status, erased.stderr).toBe(0);
    expect(erased.stdout).toMatch(new RegExp(`user erased: ${userId} at \\d{4}-`));

    const service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      const login = await service.app.inject({
        method: 'POST',
        url: '/v1/login',
        payload: { username: 'leaving.user', password: 'leaving user password' },
      });
      expect(login.statusCode).toBe(401);
      const store = new SqliteEventStore(join(dataDir, 'events.sqlite'));
      const [registered] = await store.readStream(`user-${userId}`);
      await store.close();
      if (registered === undefined) throw new Error('the user has no registration event');
      const sealed = (registered.data as { username: EncryptedSecret }).username;
      const vault = serviceVault(dataDir, readFileSync(join(dataDir, 'secret-keys'), 'utf8').trim());
      expect(await vault.open(userId, sealed, usernameAssociatedData(userId))).toBeNull();
    } finally {
      await service.stop();
    }
  });

  it('keys rewrap moves every data key to the new keyring key, so the service runs without the old one', async () => {
    const rotationDir = mkdtempSync(join(tmpdir(), 'second-factor-rotation-'));
    const k1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
    const k2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
    const run = (args: string[], secretKeys: string, input?: string) =>
      cli(args, {
        env: { DATA_DIR: rotationDir, SECRET_KEYS: secretKeys },
        ...(input === undefined ? {} : { input }),
      });
    try {
      const officeId =
        run(['offices', 'create', '--name', 'Rotation office'], k1).stdout.trim().split(' ').at(-1) ?? '';
      const create = (username: string) =>
        run(
          ['users', 'create', '--office', officeId, '--username', username, '--role', 'member'],
          k1,
          'rotation password\n',
        );
      expect(create('stays').status).toBe(0);
      const leaving = create('leaves').stdout.match(/user created: (\S+)/)?.[1] ?? '';
      expect(run(['users', 'erase', leaving, '--ticket', 'T', '--reason', 'asked'], k1).status).toBe(0);

      const rewrap = run(['keys', 'rewrap'], `${k2},${k1}`);
      expect(rewrap.status, rewrap.stderr).toBe(0);
      expect(rewrap.stderr).toContain(
        'data keys of 2 users: 1 re-wrapped with "k2", 0 were already, 1 erased',
      );
      expect(rewrap.stdout).toContain(
        'every data key is wrapped with "k2": older keys can leave SECRET_KEYS',
      );
      expect(run(['keys', 'rewrap'], `${k2},${k1}`).stderr).toContain(
        '0 re-wrapped with "k2", 1 were already',
      );

      const service = await startService(
        loadConfig({ PORT: '0', DATA_DIR: rotationDir, LOG_LEVEL: 'silent', SECRET_KEYS: k2 }),
      );
      try {
        let login = await service.app.inject({
          method: 'POST',
          url: '/v1/login',
          payload: { username: 'stays', password: 'rotation password' },
        });
        // 503 until the start-up catch-up is done, which takes longer on a loaded machine.
        const caughtUpBy = Date.now() + 15_000;
        while (login.statusCode === 503 && Date.now() < caughtUpBy) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          login = await service.app.inject({
            method: 'POST',
            url: '/v1/login',
            payload: { username: 'stays', password: 'rotation password' },
          });
        }
        expect(login.json()).toMatchObject({ status: 'authenticated' });
      } finally {
        await service.stop();
      }
    } finally {
      rmSync(rotationDir, { recursive: true, force: true });
    }
  }, 60_000); // several CLI processes and a service start one after another: slow on a loaded machine

  it('refuses an erasure without a ticket, or of an unknown user, with a clear message', () => {
    const noTicket = cli(['users', 'erase', 'someone', '--reason', 'asked']);
    expect(noTicket.status).toBe(1);
    expect(noTicket.stderr).toContain('users erase needs <user-id> --ticket <reference> --reason <text>');
    const unknown = cli(['users', 'erase', 'no-such-user', '--ticket', 'T', '--reason', 'asked']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No such user.');
  });

  it('refuses an unknown role, a missing option and an unknown office with a clear message', () => {
    const role = cli(['users', 'create', '--office', 'x', '--username', 'u', '--role', 'boss']);
    expect(role.status).toBe(1);
    expect(role.stderr).toMatch(/--role must be one of/);
    const missing = cli(['offices', 'create']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/needs --name/);
    const office = cli(['users', 'create', '--office', 'nowhere', '--username', 'u', '--role', 'member'], {
      input: 'some password\n',
    });
    expect(office.status).toBe(1);
    expect(office.stderr).toMatch(/No such office/);
  });

  it('audit verify reports intact chains, then the tampered stream with exit code 3', () => {
    const intact = cli(['audit', 'verify']);
    expect(intact.status, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/all chains intact/);
    const db = new DatabaseSync(join(dataDir, 'events.sqlite'));
    db.exec(`UPDATE events SET data = json_set(data, '$.name', 'Forged') WHERE type = 'OfficeRegistered'`);
    db.close();
    const tampered = cli(['audit', 'verify']);
    expect(tampered.status).toBe(3);
    expect(tampered.stdout).toMatch(/BROKEN office-.+ at revision 0 .*content-changed/);
  });

  it('prints usage for an unknown command and exits 2', () => {
    const unknown = cli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toMatch(/Usage: second-factor/);
  });

  it('explains that in-memory read models need no rebuild', () => {
    const rebuild = cli(['rebuild']);
    expect(rebuild.status).toBe(2);
    expect(rebuild.stderr).toMatch(/rebuilt at every start/);
  });
});
