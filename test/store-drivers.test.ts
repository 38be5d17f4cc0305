import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const storeClients = ['ioredis', 'pg', '@eventstore/db-client'];
const main = join(import.meta.dirname, '../src/main.ts');

/** The store client packages a fresh process resolves while it runs `body` (given `main`'s exports). */
const clientsResolvedBy = (body: string): string[] => {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) { seen.add(specifier); return next(specifier, context); } });
    const main = await import(${JSON.stringify(main)});
    const { loadConfig } = await import(${JSON.stringify(join(import.meta.dirname, '../src/config/config.ts'))});
    ${body}
    console.log(JSON.stringify([...seen].filter((specifier) => ${JSON.stringify(storeClients)}.includes(specifier))));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!);
};

describe('store drivers', () => {
  it('an embedded service starts, answers and stops without loading any network store client', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sf-drivers-'));
    try {
      const resolved = clientsResolvedBy(`
        const service = await main.startService(loadConfig({ PORT: '0', DATA_DIR: ${JSON.stringify(dataDir)}, LOG_LEVEL: 'silent' }));
        const ready = await fetch(service.url + '/readyz');
        if (!ready.ok) throw new Error('not ready: ' + ready.status);
        await service.stop();
      `);
      expect(resolved).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('loads the client of each configured store, and only those', () => {
    const drivers = (settings: Record<string, string>) =>
      clientsResolvedBy(`await main.loadDrivers(loadConfig(${JSON.stringify(settings)}));`).sort();
    expect(drivers({ REDIS_URL: 'redis://127.0.0.1:9' })).toEqual(['ioredis']);
    expect(drivers({ DATABASE_URL: 'postgres://127.0.0.1:9/none' })).toEqual(['pg']);
    expect(drivers({ EVENTSTORE_URL: 'esdb://127.0.0.1:9?tls=false' })).toEqual(['@eventstore/db-client']);
  });
});
