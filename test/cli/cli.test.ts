import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { startService } from '../../src/main.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/second-factor.js'), ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', REDIS_URL: '', ...options.env },
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
