// What every benchmark gets: the options of this run, the dev PKI, a private temp folder, and whether PostgreSQL is
// reachable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { ensureDevPki } from '#evx/pki';
import type { FigureRow } from './figure.js';

/** dist/ of the compiled project (this file runs as dist/bench/src/bench.context.js). */
export const DIST_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The repository root (dist/..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchOptions {
  /** Small sizes so the whole run takes under 2 minutes (CI proves the harness works; no figure is meaningful). */
  quick: boolean;
  /** Benchmark names to run; empty for all. */
  only: string[];
  /** Bytes of evidence for ingest and verify. */
  sizeBytes: number;
  /** PostgreSQL to use for the database figures; a fresh schema per benchmark, dropped afterwards. */
  pgUrl: string;
  /** Extra settings for the service processes (`--service-env KEY=VALUE`), for what-if runs; empty by default. */
  serviceEnv: Record<string, string>;
}

export interface BenchContext {
  readonly options: BenchOptions;
  /** The dev PKI (generated under tmp/ on first use; keys never leave the git-ignored folder). */
  readonly pki: string;
  /** A private folder for this run, removed at the end. */
  readonly tmp: string;
  /** null when PostgreSQL is reachable, else why not (its figures are then "skipped" rows). */
  readonly pgProblem: string | null;
  log(message: string): void;
}

export interface Benchmark {
  /** The name for `--only`, and the first part of each figure id. */
  readonly name: string;
  readonly description: string;
  run(context: BenchContext): Promise<FigureRow[]>;
}

export async function openContext(options: BenchOptions): Promise<BenchContext & { close(): void }> {
  const pki = join(REPO_ROOT, 'tmp', 'bench-pki');
  await ensureDevPki(pki, { config: join(REPO_ROOT, 'certs-dev', 'pki.config.json') });
  const tmp = mkdtempSync(join(tmpdir(), 'evx-bench-'));
  return {
    options,
    pki,
    tmp,
    pgProblem: await postgresProblem(options.pgUrl),
    log: (message) => process.stderr.write(`  ${message}\n`),
    close: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

async function postgresProblem(url: string): Promise<string | null> {
  const ds = new DataSource({ type: 'postgres', url, connectTimeoutMS: 3000 });
  try {
    await ds.initialize();
    await ds.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${url} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    if (ds.isInitialized) await ds.destroy();
  }
}
