import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyringMismatchError } from '../../src/adapters/crypto/data-key-vault.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startService } from '../../src/main.ts';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const apiKey = 'keyring-start-up-platform-key-0123456789abcdef';

describe('start-up refuses a keyring that cannot open the stored data keys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-keyring-'));
  const config = (secretKeys: string) =>
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SECRET_KEYS: secretKeys,
      PLATFORM_API_KEY: apiKey,
    });

  beforeAll(async () => {
    const service = await startService(config(`k1:${key(1)}`));
    const headers = { 'x-api-key': apiKey };
    const office = await service.app.inject({
      method: 'POST',
      url: '/v1/platform/offices',
      headers,
      payload: { name: 'Keyring office' },
    });
    const user = await service.app.inject({
      method: 'POST',
      url: '/v1/platform/users',
      headers,
      payload: {
        officeId: office.json().officeId,
        username: 'kept',
        password: 'kept user password',
        role: 'member',
      },
    });
    expect(user.statusCode, user.body).toBe(201);
    await service.stop();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a fresh store starts with any keyring', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'second-factor-keyring-fresh-'));
    try {
      const service = await startService(
        loadConfig({ PORT: '0', DATA_DIR: fresh, LOG_LEVEL: 'silent', SECRET_KEYS: `k9:${key(9)}` }),
      );
      await service.stop();
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('a keyring without the key that wrapped them is refused, naming SECRET_KEYS and the key id', async () => {
    const refused = startService(config(`k2:${key(2)}`));
    await expect(refused).rejects.toBeInstanceOf(KeyringMismatchError);
    await expect(refused).rejects.toThrow(/SECRET_KEYS cannot open .* key "k1", which is not in the keyring/);
  });

  it('another key under the same id is refused too (a keyring generated anew on each start)', async () => {
    await expect(startService(config(`k1:${key(7)}`))).rejects.toThrow(
      /key "k1", which is a different key under the same id/,
    );
  });

  it('a rotated keyring (new key first, the old one after it) starts and logs in', async () => {
    const service = await startService(config(`k2:${key(2)},k1:${key(1)}`));
    try {
      let login = await service.app.inject({
        method: 'POST',
        url: '/v1/login',
        payload: { username: 'kept', password: 'kept user password' },
      });
      // The embedded read models answer 503 until the start-up catch-up is done.
      for (let attempt = 0; login.statusCode === 503 && attempt < 100; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        login = await service.app.inject({
          method: 'POST',
          url: '/v1/login',
          payload: { username: 'kept', password: 'kept user password' },
        });
      }
      expect(login.json()).toMatchObject({ status: 'authenticated' });
    } finally {
      await service.stop();
    }
  });

  it('the service process exits 1 with that message, not a stack trace', () => {
    const run = spawnSync(process.execPath, [join(import.meta.dirname, '../../src/main.ts')], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        SECRET_KEYS: `k2:${key(2)}`,
        PLATFORM_API_KEY: apiKey,
        REDIS_URL: '',
      },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^SECRET_KEYS cannot open the data keys/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 60_000);
});
