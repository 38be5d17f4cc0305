import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { type RunningService, startService } from '../../../src/main.ts';
import { linux, poolThreads } from '../../support/pool-threads.ts';

describe.skipIf(!linux)('the service started with its defaults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'second-factor-hashing-priority-'));
  let service: RunningService | undefined;
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the threads argon2id uses at niceness 10, and its event loop thread as the process was', async () => {
    const mainBefore = getPriority();
    expect(poolThreads().every((tid) => getPriority(tid) === mainBefore)).toBe(true);
    service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    const threads = poolThreads();
    expect(threads.length).toBeGreaterThan(0);
    for (const tid of threads) expect(getPriority(tid)).toBe(Math.max(10, mainBefore));
    expect(getPriority()).toBe(mainBefore);
  });
});
