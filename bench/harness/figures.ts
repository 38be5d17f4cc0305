/** The figures a run collects, the table it prints (every figure next to its target) and the results file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  connections,
  cores,
  elapsed,
  lagRatePerSecond,
  progress,
  quick,
  redisUrl,
  repoRoot,
  round,
  settings,
} from './settings.ts';

/** One row of the table, as a phase returns it (the harness adds the phase number). */
export type Figure = {
  figure: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean | null;
  note?: string;
};
export type NumberedFigure = Figure & { phase: number };

export const printTable = (figures: readonly NumberedFigure[]) => {
  const rows = [
    ['#', 'figure', 'value', 'baseline', 'ratio', 'target', 'met?'],
    ...figures.map((f) => [
      String(f.phase),
      f.figure,
      `${f.value.toLocaleString('en-US')} ${f.unit}`,
      f.baseline === null ? '—' : f.baseline.toLocaleString('en-US'),
      f.ratio === null ? '—' : String(f.ratio),
      f.target,
      f.met === null ? '—' : f.met ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ];
  process.stdout.write(`\n${out.join('\n')}\n`);
  const notes = figures.filter((f) => f.note !== undefined);
  if (notes.length > 0)
    process.stdout.write(`\nNotes:\n${notes.map((f) => `  ${f.phase} ${f.figure}: ${f.note}`).join('\n')}\n`);
};

export const writeResults = (figures: readonly NumberedFigure[], raw: Record<string, unknown>) => {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const path = join(dir, `${stamp}${quick ? '-quick' : ''}.json`);
  const summarise = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (key, inner) =>
        // autocannon results carry per-status maps and histograms; keep them, drop request bodies.
        key === 'requests' && Array.isArray(inner) ? undefined : inner,
      ),
    );
  writeFileSync(
    path,
    `${JSON.stringify(
      {
        startedAt: new Date(Date.now() - elapsed() * 1000).toISOString(),
        quick,
        durationSeconds: round(elapsed(), 1),
        machine: {
          cores,
          cpu: cpus()[0]?.model ?? 'unknown',
          node: process.version,
          platform: process.platform,
        },
        settings: {
          ...settings,
          connections,
          lagRatePerSecond,
          redisUrl: redisUrl.replace(/\/\/[^@]*@/, '//***@'),
        },
        figures,
        raw: summarise(raw),
      },
      null,
      2,
    )}\n`,
  );
  progress(`results written to ${path}`);
};
