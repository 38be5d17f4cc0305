import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { usernameAssociatedData } from '../../src/application/ports/personal-data-vault.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { EncryptedSecret } from '../../src/domain/shared/encrypted-secret.ts';
import { startService } from '../../src/main.ts';
import { freePort } from '../support/service-process.ts';
import { serviceVault } from '../support/vault.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
/** A port nobody listens on, so `users create` finds no running service unless a test starts one there. */
let quietPort = '';
beforeAll(async () => {
  quietPort = String(await freePort());
});

type CliOptions = { input?: string; env?: Record<string, string> };
const bin = join(import.meta.dirname, '../../bin/second-factor.js');
const cliEnv = (options: CliOptions) => ({
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  REDIS_URL: '',
  EVENTSTORE_URL: '',
  DATABASE_URL: '',
  PORT: quietPort,
  HOST: '127.0.0.1',
  ...options.env,
});
const cli = (args: string[], options: CliOptions = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: cliEnv(options),
  });
/** The CLI while this process goes on serving (a service started in the test answers it). */
const cliAsync = (args: string[], options: CliOptions = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: cliEnv(options) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdin.end(options.input ?? '');
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

// Each case spawns the CLI several times, and each spawn loads the TypeScript sources (seconds on a loaded machine).
describe('second-factor CLI', { timeout: 90_000 }, () => {
  it('creates an office and its first admin, who can then log in to the service', async () => {
    const office = cli(['offices', 'create', '--name', 'Kantoor Brugge']);
    expect(office.status, office.stderr).toBe(0);
    // The id alone on stdout, and nothing on stderr but warnings (none here).
    expect(office.stdout).toMatch(/^[\w-]+\n$/);
    const officeId = office.stdout.trim();
    const user = cli(
      ['users', 'create', '--office', officeId, '--username', 'First.Admin', '--role', 'office-admin'],
      {
        input: 'first admin password\n',
      },
    );
    expect(user.status, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/^[\w-]+\n$/);
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
    const officeId = office.stdout.trim();
    const created = cli(
      ['users', 'create', '--office', officeId, '--username', 'leaving.user', '--role', 'member'],
      {
        input: 'leaving user password\n',
      },
    );
    const userId = created.stdout.trim();
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
    expect(erased.stdout).toBe(`${userId}\n`);

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
      const officeId = run(['offices', 'create', '--name', 'Rotation office'], k1).stdout.trim();
      const create = (username: string) =>
        run(
          ['users', 'create', '--office', officeId, '--username', username, '--role', 'member'],
          k1,
          'rotation password\n',
        );
      expect(create('stays').status).toBe(0);
      const leaving = create('leaves').stdout.trim();
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
    // Eight CLI processes and a service start: slow on a loaded machine.
  }, 60_000);

  it('refuses an erasure without a ticket, or of an unknown user, with a clear message', () => {
    const noTicket = cli(['users', 'erase', 'someone', '--reason', 'asked']);
    expect(noTicket.status).toBe(2);
    expect(noTicket.stderr).toContain('users erase needs <user-id> --ticket <reference> --reason <text>');
    const unknown = cli(['users', 'erase', 'no-such-user', '--ticket', 'T', '--reason', 'asked']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No such user.');
  });

  it('refuses an unknown role, a missing option and an unknown office with a clear message', () => {
    const role = cli(['users', 'create', '--office', 'x', '--username', 'u', '--role', 'boss']);
    expect(role.status).toBe(2);
    expect(role.stderr).toMatch(/--role must be one of/);
    const missing = cli(['offices', 'create']);
    expect(missing.status).toBe(2);
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

  it('says which command or option is unknown, on stderr, and exits 2', () => {
    const unknown = cli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect(unknown.stderr).toMatch(/Usage: second-factor/);
    expect(unknown.stdout).toBe('');
    const sub = cli(['users', 'frobnicate']);
    expect(sub.status).toBe(2);
    expect(sub.stderr).toMatch(/unknown command "users frobnicate"/);
    const group = cli(['users']);
    expect(group.status).toBe(2);
    expect(group.stderr).toMatch(/"users" needs a subcommand/);
    const option = cli(['offices', 'create', '--name', 'X', '--colour', 'red']);
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/offices create: Unknown option '--colour'/);
    const extra = cli(['users', 'show', 'a', 'b']);
    expect(extra.status).toBe(2);
    expect(extra.stderr).toMatch(/unexpected argument "b"/);
  });

  it('--help and -h print the usage, exit 0 and never run the command', () => {
    const before = readdirSync(dataDir).length;
    const overview = cli(['--help']);
    expect(overview.status).toBe(0);
    for (const name of [
      'offices create',
      'offices list',
      'users list',
      'users show',
      'keys rewrap',
      'audit verify',
    ])
      expect(overview.stdout).toContain(name);
    for (const args of [
      ['keys', 'rewrap', '--help'],
      ['audit', 'verify', '-h'],
      ['users', 'erase', 'someone', '--help'],
      ['users', 'create', '--help'],
      ['rebuild', '--help'],
      ['offices', '--help'],
    ]) {
      const help = cli(args, { env: { DATA_DIR: join(dataDir, 'never-made') } });
      expect(help.status, args.join(' ')).toBe(0);
      expect(help.stdout, args.join(' ')).toMatch(/^Usage: second-factor /);
      expect(help.stderr, args.join(' ')).toBe('');
    }
    expect(existsSync(join(dataDir, 'never-made'))).toBe(false);
    expect(readdirSync(dataDir).length).toBe(before);
    const version = cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^second-factor \d+\.\d+\.\d+\n$/);
  }, 60_000);

  it('lists offices and users, and shows one user by id or username, as text or --json', () => {
    const officeId = cli(['offices', 'create', '--name', 'Kantoor Lijst']).stdout.trim();
    const userId = cli(
      ['users', 'create', '--office', officeId, '--username', 'Lijst.Lid', '--role', 'auditor'],
      {
        input: 'list member password\n',
      },
    ).stdout.trim();
    const offices = cli(['offices', 'list']);
    expect(offices.status, offices.stderr).toBe(0);
    expect(offices.stdout).toContain(`${officeId}\t2fa-optional\t1\tKantoor Lijst`);
    const asJson = JSON.parse(cli(['offices', 'list', '--json']).stdout) as {
      officeId: string;
      users: number;
    }[];
    expect(asJson.find((office) => office.officeId === officeId)).toMatchObject({
      users: 1,
      name: 'Kantoor Lijst',
    });
    const users = cli(['users', 'list', '--office', officeId]);
    expect(users.stdout).toBe(`${userId}\tlijst.lid\tauditor\tnone\n`);
    for (const key of [userId, 'LIJST.lid']) {
      const shown = cli(['users', 'show', key, '--json']);
      expect(shown.status, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        userId,
        username: 'lijst.lid',
        officeId,
        officeName: 'Kantoor Lijst',
        role: 'auditor',
        status: 'registered',
        twoFactor: 'none',
      });
    }
    expect(cli(['users', 'show', userId]).stdout).toContain('username: lijst.lid');
    const missing = cli(['users', 'show', 'nobody-at-all']);
    expect(missing.status).toBe(4);
    expect(missing.stderr).toContain('no user with the id or username "nobody-at-all"');
    const created = JSON.parse(cli(['offices', 'create', '--name', 'Kantoor Json', '--json']).stdout) as {
      officeId: string;
      name: string;
    };
    expect(created.name).toBe('Kantoor Json');
    // A dozen processes, each starting Node and opening the store: slow on a loaded machine.
  }, 90_000);

  it('users create returns once the running embedded service knows the user: the next login works', async () => {
    const service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      const port = new URL(service.url).port;
      const officeId = (
        await cliAsync(['offices', 'create', '--name', 'Kantoor Live'], { env: { PORT: port } })
      ).stdout.trim();
      const created = await cliAsync(
        ['users', 'create', '--office', officeId, '--username', 'live.user', '--role', 'member'],
        { input: 'live user password\n', env: { PORT: port } },
      );
      expect(created.status, created.stderr).toBe(0);
      expect(created.stderr).toBe('');
      const login = await service.app.inject({
        method: 'POST',
        url: '/v1/login',
        payload: { username: 'live.user', password: 'live user password' },
      });
      expect(login.json()).toMatchObject({ status: 'authenticated' });
    } finally {
      await service.stop();
    }
  });

  it('rebuilds the embedded read models only when they are not complete for this store, or with --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'second-factor-cli-rebuild-'));
    try {
      const env = { DATA_DIR: dir };
      expect(cli(['offices', 'create', '--name', 'Kantoor Rebuild'], { env }).status).toBe(0);
      const first = cli(['rebuild'], { env });
      expect(first.status, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/rebuilding: the read models are empty/);
      expect(first.stdout + first.stderr).toMatch(
        /1 events projected into a fresh set of read models \(read-models\.sqlite\)/,
      );
      const again = cli(['rebuild'], { env });
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/complete and built from this event store .*position 1\): nothing to do/);
      const forced = cli(['rebuild', '--force'], { env });
      expect(forced.status).toBe(0);
      expect(forced.stdout + forced.stderr).toMatch(/1 events projected into a fresh set/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
