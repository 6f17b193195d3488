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

/** `node dist/<main> ...args`, waiting for it to exit. */
export function runDist(main: string, args: readonly string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // BENCH_CPU_PROF_DIR=<folder>: the child writes a CPU profile there when it exits (docs/performance.md).
    const dir = process.env.BENCH_CPU_PROF_DIR;
    const profile = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
    const child = spawn(process.execPath, [...profile, join(DIST_ROOT, main), ...args], {
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
