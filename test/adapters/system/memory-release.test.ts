import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  type HeapFigures,
  heapGrewEnough,
  MemoryRelease,
  minimumGrowthBytes,
} from '../../../src/adapters/system/memory-release.ts';

const mib = 1024 * 1024;
const heap = (totalMb: number, usedMb: number): HeapFigures => ({ total: totalMb * mib, used: usedMb * mib });

/** A MemoryRelease over a heap and an event loop the test sets; it starts on a heap of 40 MiB. */
const subject = (figures: { heap: HeapFigures; busy: number }) => {
  const released: string[] = [];
  const logged: object[] = [];
  const start = figures.heap;
  figures.heap = heap(40, 30);
  const release = new MemoryRelease({
    heap: () => figures.heap,
    release: async () => {
      released.push('released');
      figures.heap = heap(50, 35);
    },
    busySinceLastCall: () => figures.busy,
    log: { info: (details) => logged.push(details) },
  });
  figures.heap = start;
  return { release, released, logged };
};

describe('heapGrewEnough', () => {
  it('is worth a release when the heap grew by 64 MiB or more since the last one, however much of it counts as used', () => {
    expect(heapGrewEnough(heap(300, 280), 40 * mib)).toBe(true);
    expect(heapGrewEnough({ total: 40 * mib + minimumGrowthBytes, used: 0 }, 40 * mib)).toBe(true);
    expect(heapGrewEnough(heap(100, 20), 40 * mib)).toBe(false); // 60 MiB more: not worth a pause
  });
});

describe('MemoryRelease', () => {
  it('gives the heap back once it grew enough since the start, logs before and after, and then counts from there', async () => {
    const figures = { heap: heap(300, 280), busy: 0.5 };
    const { release, released, logged } = subject(figures);
    expect(await release.releaseIfGrown('catch-up')).toBe(true);
    expect(released).toEqual(['released']);
    expect(logged).toEqual([{ reason: 'catch-up', heapTotalMb: [300, 50], heapUsedMb: [280, 35] }]);
    expect(await release.releaseIfGrown('catch-up')).toBe(false);
    figures.heap = heap(110, 90); // 60 MiB beyond the 50 after the release
    expect(await release.releaseIfGrown('catch-up')).toBe(false);
    figures.heap = heap(120, 90);
    expect(await release.releaseIfGrown('catch-up')).toBe(true);
    expect(released).toHaveLength(2);
  });

  it('checks while idle only: never adds a pause to an event loop that was busy', async () => {
    const figures = { heap: heap(300, 80), busy: 0.2 };
    const { release, released } = subject(figures);
    expect(await release.check()).toBe(false);
    figures.busy = 0.01;
    expect(await release.check()).toBe(true);
    expect(released).toEqual(['released']);
  });

  it('checks every interval until stopped, and never with an interval of 0', async () => {
    vi.useFakeTimers();
    try {
      const off = subject({ heap: heap(300, 80), busy: 0 });
      off.release.checkEvery(0);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(off.released).toEqual([]);

      const figures = { heap: heap(300, 80), busy: 0 };
      const on = subject(figures);
      const checks = on.release.checkEvery(30);
      await vi.advanceTimersByTimeAsync(29_000);
      expect(on.released).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(on.released).toEqual(['released']);
      checks.stop();
      figures.heap = heap(300, 80);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(on.released).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("hands a grown heap's unused pages back to the system (in a process of its own)", () => {
    const module = fileURLToPath(new URL('../../../src/adapters/system/memory-release.ts', import.meta.url));
    const script = `
      const { collectGarbageReleasingMemory, heapNow } = await import(${JSON.stringify(module)});
      let keep = [];
      for (let round = 0; round < 40; round++) {
        const batch = [];
        for (let i = 0; i < 50_000; i++) batch.push({ i, s: 'x' + i + '-' + round, a: [i, i + 1] });
        keep.push(batch);
        if (keep.length > 8) keep.shift();
        await new Promise(setImmediate);
      }
      keep = null;
      const before = heapNow();
      await collectGarbageReleasingMemory();
      console.log(JSON.stringify({ before, after: heapNow() }));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const { before, after } = JSON.parse(output) as { before: HeapFigures; after: HeapFigures };
    expect(before.total).toBeGreaterThan(100 * mib);
    expect(after.total).toBeLessThan(before.total / 4);
  });
});
