// Child processes the kit runs: EVX's services (each reports readiness over IPC, as under `evx up`) and the adapter
// under test. Output goes to a log file per process, so a failing scenario can point at what the process said.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Where its stdout and stderr go. */
  readonly logFile: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `argv` with `env`, its output teed into `<logDir>/<name>.log` and kept in memory. */
export function startProcess(
  name: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
  options: { readonly ipc?: boolean; readonly cwd?: string } = {},
): ManagedProcess {
  const [command, ...args] = argv;
  if (!command) throw new Error(`${name}: empty command`);
  const child = spawn(command, args, {
    env,
    cwd: options.cwd,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const logFile = join(logDir, `${name}.log`);
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  let text = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    // Bounded: an adapter logging millions of records must not fill the kit's memory.
    text = (text + chunk.toString()).slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => log.end());
  child.on('error', (error) => keep(Buffer.from(`${name}: ${error.message}\n`)));
  return {
    name,
    child,
    logFile,
    output: () => text,
    stop: (graceMs = 10_000) => stopProcess(child, graceMs),
  };
}

export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves with the service's `evx-ready` message (service.runner.ts); rejects if it exits first or times out. */
export function waitReady(
  service: ManagedProcess,
  timeoutMs: number,
): Promise<{ grpcAddress?: string; httpsUrl?: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${service.name} was not ready within ${timeoutMs} ms; see ${service.logFile}`)),
      timeoutMs,
    );
    service.child.on('message', (message: { type?: string; grpcAddress?: string; httpsUrl?: string }) => {
      if (message?.type !== 'evx-ready') return;
      clearTimeout(timer);
      resolve(message);
    });
    service.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${service.name} exited with code ${code} before it was ready:\n${tail(service.output())}`));
    });
  });
}

/** The last lines of a process's output, for error messages. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export { freePort } from '#evx/transport';
