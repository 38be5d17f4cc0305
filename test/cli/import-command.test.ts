import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqlite-event-store.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startService } from '../../src/main.ts';
import { independentCode } from '../support/independent-totp.ts';
import { runCli } from '../support/run-cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-import-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const cli = (args: string[], input?: string) => runCli(dataDir, args, input === undefined ? {} : { input });
const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const password = 'imported user password';

const eventCount = async () => {
  const store = new SqliteEventStore(join(dataDir, 'events.sqlite'));
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
};

describe('second-factor import', () => {
  it('imports SHA256/8/60 from a file with a dry run first, reports every row, and a re-run is a no-op', async () => {
    const officeId =
      cli(['offices', 'create', '--name', 'Import office']).stdout.trim().split(' ').at(-1) ?? '';
    for (const username of ['moved.in', 'other.one'])
      expect(
        cli(
          ['users', 'create', '--office', officeId, '--username', username, '--role', 'member'],
          `${password}\n`,
        ).status,
      ).toBe(0);
    const file = join(dataDir, 'enrolments.csv');
    writeFileSync(
      file,
      `username,secret,digits,period,algorithm\r\nmoved.in,${secret},8,60,SHA256\r\nghost,${secret}\r\n`,
    );

    const before = await eventCount();
    const dry = cli(['import', file, '--office', officeId, '--dry-run']);
    expect(dry.status, dry.stderr).toBe(3);
    expect(dry.stdout).toContain('line 2 moved.in: imported SHA256/8/60');
    expect(dry.stdout).toContain('line 3 ghost: rejected unknown-user');
    expect(dry.stderr).toMatch(
      /import \(dry run\): .*1 imported, 0 replaced, 0 skipped, 1 rejected \(dry run: nothing written\)/,
    );
    expect(await eventCount()).toBe(before);

    const real = cli(['import', file, '--office', officeId]);
    expect(real.status, real.stderr).toBe(3);
    expect(real.stdout).toContain('line 2 moved.in: imported SHA256/8/60');
    expect(real.stderr).toMatch(/import checking: 100% 2\/2 rows/);
    expect(real.stderr).toMatch(/import: 100% 2\/2 rows/);
    const afterImport = await eventCount();
    expect(afterImport).toBe(before + 1);

    const again = cli(['import', file, '--office', officeId]);
    expect(again.stdout).toContain('line 2 moved.in: skipped');
    expect(await eventCount()).toBe(afterImport);
    for (const output of [dry, real, again]) expect(output.stdout + output.stderr).not.toContain(secret);

    const service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      const login = await service.app.inject({
        method: 'POST',
        url: '/v1/login',
        payload: {
          username: 'moved.in',
          password,
          code: independentCode(secret, new Date(), { algorithm: 'SHA256', digits: 8, period: 60 }),
        },
      });
      expect(login.statusCode, login.body).toBe(200);
      expect(login.json()).toMatchObject({ status: 'authenticated' });
    } finally {
      await service.stop();
    }
    // Eight CLI processes one after the other: on a loaded machine each takes seconds to start.
  }, 90_000);

  it('refuses a missing file argument or office (exit 2), an unknown office, and a file over 10 MB', () => {
    const missing = cli(['import', '--office', 'x']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('import needs <file> --office <id>');
    const file = join(dataDir, 'one.csv');
    writeFileSync(file, `someone,${secret}\n`);
    const office = cli(['import', file, '--office', 'nowhere']);
    expect(office.status).toBe(1);
    expect(office.stderr).toContain('No such office.');
    const big = join(dataDir, 'big.csv');
    writeFileSync(big, Buffer.alloc(10 * 1024 * 1024 + 1, 'a'));
    const tooBig = cli(['import', big, '--office', 'x']);
    expect(tooBig.status).toBe(2);
    expect(tooBig.stderr).toContain('at most 10 MB');
  }, 60_000);
});
