// `npm run bench`: measures EVX's hot paths, each beside a baseline measured in the same run (or as a latency
// distribution), prints a table and writes bench/results/latest.json. docs/performance.md explains the figures.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_PG_URL, REPO_ROOT, openContext, type BenchOptions, type Benchmark } from './bench.context.js';
import { unmeasured, type FigureRow } from './figure.js';
import { formatTable, machine, writeReport } from './report.js';
import { BENCHMARKS } from './benchmarks/index.js';

const GIB = 2 ** 30;
const QUICK_SIZE = 32 * 2 ** 20;

/** `1GiB`, `256MiB`, `64M`, `1073741824`. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(k|m|g)?(i?b)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 1GiB, 256MiB or a number of bytes');
  const unit = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes < 2 ** 20) throw new InvalidArgumentError('at least 1MiB');
  return bytes;
}

function parseOptions(argv: string[]): BenchOptions {
  const names = BENCHMARKS.map((b) => b.name);
  const program = new Command('bench')
    .description('EVX benchmarks: every figure beside a baseline from the same run')
    .option('--quick', 'small sizes, whole run under 2 minutes (proves the harness works; figures are not meaningful)')
    .option(
      '--only <names>',
      `run only these benchmarks, comma-separated: ${names.join(', ')}`,
      (value: string, previous: string[] = []) => [
        ...previous,
        ...value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ],
    )
    .option('--size <bytes>', 'evidence size for ingest and verify (default 1GiB; 32MiB with --quick)', parseSize)
    .option(
      '--pg <url>',
      'PostgreSQL for the database figures (a fresh schema, dropped afterwards)',
      process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_PG_URL,
    )
    .option(
      '--service-env <KEY=VALUE>',
      'a setting for the service processes, e.g. PROVIDER_EDGE_TASK_POLL_MS=100 (repeatable; for what-if runs)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addHelpText(
      'after',
      `\nBenchmarks:\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(10)} ${b.description}`).join('\n')}`,
    )
    .parse(argv);
  const opts = program.opts<{ quick?: boolean; only?: string[]; size?: number; pg: string; serviceEnv?: string[] }>();
  const serviceEnv: Record<string, string> = {};
  for (const pair of opts.serviceEnv ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) program.error(`--service-env wants KEY=VALUE, got ${pair}`);
    serviceEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const unknown = (opts.only ?? []).filter((n) => !names.includes(n));
  if (unknown.length) program.error(`unknown benchmark ${unknown.join(', ')}; choose from ${names.join(', ')}`);
  const quick = opts.quick ?? false;
  return {
    quick,
    only: opts.only ?? [],
    sizeBytes: opts.size ?? (quick ? QUICK_SIZE : GIB),
    pgUrl: opts.pg,
    serviceEnv,
  };
}

/**
 * Writes dirty pages out (`sync`) so that one benchmark's files (the ingest writes 2 GiB) are not written back while
 * the next one measures. Best effort: where there is no `sync` command the benchmark just starts.
 */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => execFile('sync', () => resolve()));
}

async function runOne(benchmark: Benchmark, context: Parameters<Benchmark['run']>[0]): Promise<FigureRow[]> {
  await settle();
  process.stderr.write(`[bench] ${benchmark.name}: ${benchmark.description}\n`);
  const started = performance.now();
  try {
    return await benchmark.run(context);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`[bench] ${benchmark.name} failed: ${message}\n`);
    return [unmeasured('failed', benchmark.name, benchmark.description, '—', firstLine(message))];
  } finally {
    process.stderr.write(`[bench] ${benchmark.name}: ${Math.round((performance.now() - started) / 1000)} s\n`);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const startedAt = new Date();
  const context = await openContext(options);
  if (context.pgProblem) process.stderr.write(`[bench] ${context.pgProblem}: PostgreSQL figures are skipped\n`);
  const figures: FigureRow[] = [];
  try {
    for (const benchmark of BENCHMARKS) {
      if (options.only.length && !options.only.includes(benchmark.name)) continue;
      figures.push(...(await runOne(benchmark, context)));
    }
  } finally {
    context.close();
  }
  const out = join(REPO_ROOT, 'bench', 'results', 'latest.json');
  writeReport(out, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    machine: machine(),
    figures,
  });
  const m = machine();
  console.log(`\nEVX benchmarks${options.quick ? ' (--quick: small sizes, not meaningful figures)' : ''}`);
  console.log(`machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}`);
  const changed = Object.entries(options.serviceEnv).map(([k, v]) => `${k}=${v}`);
  // A what-if run must not pass for the default configuration.
  if (changed.length) console.log(`NOT THE DEFAULT CONFIGURATION: services ran with ${changed.join(' ')}`);
  console.log('');
  console.log(formatTable(figures));
  console.log(`\nwritten to ${out}`);
  // Any failed figure is a failed run (CI runs --quick to prove the harness works); a missed target is not.
  if (figures.some((f) => f.status === 'failed')) process.exitCode = 1;
}

main().then(
  // Clients and pools of finished benchmarks may keep handles open; the report is written, so leave.
  () => process.exit(),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
