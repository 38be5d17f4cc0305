import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommand } from '../../bench/harness/start-command.ts';

const root = join(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  .glibcVersionRuntime;
if (glibc === undefined)
  console.warn(
    `allocator test skipped: GLIBC_TUNABLES are glibc's, and this ${process.platform} libc is not glibc`,
  );

/** Frees 200 MiB of 1 MiB buffers that lie between small ones still held; prints how much RSS stayed. */
const fragmentingScript = `
const { readFileSync } = require('node:fs');
const anonymousMb = () => Number(/RssAnon:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const before = anonymousMb();
let large = [Buffer.alloc(8 << 20)];
large = [];
globalThis.gc();
const held = [];
for (let i = 0; i < 200; i++) {
  large.push(Buffer.alloc(1 << 20, 1));
  held.push(Buffer.alloc(20_000, 1));
}
large = null;
globalThis.gc();
globalThis.gc();
process.stdout.write(String(held.length === 200 ? anonymousMb() - before : Number.NaN));
`;

const keptMbAfterFreeing = (env: Record<string, string>) =>
  Number(
    execFileSync(process.execPath, ['--expose-gc', '-e', fragmentingScript], {
      env: { ...process.env, GLIBC_TUNABLES: '', ...env },
      encoding: 'utf8',
    }),
  );

describe('how the service is started', () => {
  it('the container image starts node as npm start does, with the same allocator settings', () => {
    const npmStart = startCommand();
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd, 'the Dockerfile has a CMD in exec form').toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...npmStart.args]);
    expect(Object.keys(npmStart.env)).toEqual(['GLIBC_TUNABLES']);
    for (const [name, value] of Object.entries(npmStart.env))
      expect(dockerfile).toMatch(new RegExp(`^ENV ${name}=${value.replaceAll('.', '\\.')}$`, 'm'));
  });

  it.skipIf(glibc === undefined)(
    "npm start's allocator settings give the memory of freed large buffers back to the system",
    () => {
      const withSettings = keptMbAfterFreeing(startCommand().env);
      expect(withSettings).toBeLessThan(50);
    },
  );
});
