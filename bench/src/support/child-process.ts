// Runs a compiled entry point of this repository as a child process and times it.
import { spawn } from 'node:child_process';
import { DIST_ROOT, REPO_ROOT } from '../bench.context.js';
import { join } from 'node:path';

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Node flags that make a child write a CPU profile when it exits (docs/performance.md): BENCH_CPU_PROF_DIR=<folder>,
 * and BENCH_CPU_PROF_INTERVAL=<µs> for a sampling period other than 1 ms. None when the folder is unset.
 */
export function cpuProfileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  if (!dir) return [];
  const interval = process.env.BENCH_CPU_PROF_INTERVAL;
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(interval ? [`--cpu-prof-interval=${interval}`] : [])];
}

/** `node dist/<main> ...args`, waiting for it to exit. */
export function runDist(main: string, args: readonly string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...cpuProfileFlags(), join(DIST_ROOT, main), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}
