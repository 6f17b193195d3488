// The table on stdout and bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { BenchOptions } from './bench.context.js';
import type { FigureRow } from './figure.js';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  options: BenchOptions;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  figures: FigureRow[];
}

export function machine(): BenchReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

function num(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return String(Number(value.toPrecision(3)));
}

function verdict(row: FigureRow): string {
  if (row.status !== 'measured') return row.status;
  if (row.met === null) return '';
  return row.met ? 'met' : 'MISSED';
}

/** A plain-text table (also valid Markdown), then the notes of rows that have one. */
export function formatTable(rows: readonly FigureRow[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'p50 / p99', 'target', 'met'];
  const lines = rows.map((r) => {
    const p50 = r.details.p50_ms ?? r.details.p50_us;
    const p99 = r.details.p99_ms ?? r.details.p99_us;
    const latencyUnit = r.details.p50_ms !== undefined ? 'ms' : 'µs';
    return [
      r.figure,
      r.value === null ? '—' : `${num(r.value)} ${r.unit}`,
      r.baseline ? `${num(r.baseline.value)} ${r.baseline.unit} (${r.baseline.name})` : '—',
      r.ratio === null ? '—' : `${num(r.ratio)}×`,
      p50 === undefined ? '—' : `${num(p50)} / ${num(p99 ?? null)} ${latencyUnit}`,
      r.target,
      verdict(r),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const out = [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)];
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
