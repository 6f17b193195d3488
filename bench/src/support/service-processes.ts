// EVX services as child processes from dist/, as `evx up` runs them: own ports, own database, the bench PKI. Each
// reports readiness over IPC; their resident memory is read from /proc while a benchmark runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_ROOT, REPO_ROOT, type BenchContext } from '../bench.context.js';
import type { BenchDatabase } from './bench-database.js';
import { cpuProfileFlags } from './child-process.js';
import { freePort } from './ports.js';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Last lines of its output, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node dist/<main>` and resolves when it sends `evx-ready` (or `bench-ready`). */
export async function startProcess(
  name: string,
  main: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...cpuProfileFlags(), join(DIST_ROOT, main)], {
    cwd: REPO_ROOT,
    env: { ...inheritedEnv(), EVX_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk: string) => (tail = (tail + chunk).slice(-4000));
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const proc: ServiceProcess = {
    name,
    child,
    output: () => tail,
    stop: () => stopChild(child),
  };
  await new Promise<void>((resolve, reject) => {
    // A child that is not ready in time is stopped: nobody else holds it, and it must not run on beside the figures.
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error(`${name} not ready within ${timeoutMs} ms:\n${tail}`));
    }, timeoutMs);
    child.on('message', (m: { type?: string }) => {
      if (m?.type === 'evx-ready' || m?.type === 'bench-ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready: ${firstError(tail)}\n${tail}`));
    });
  });
  return proc;
}

/** This process's environment without EVX settings: each benchmark names its own database, ports and folders. */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_|EVX_|VAULT_|PROVIDER_EDGE_|AUTHORITY_API_|MOCK_)/.test(name)) delete env[name];
  }
  return env;
}

/** The line that names the problem in a child's output, e.g. `SyntaxError: ...`. */
function firstError(output: string): string {
  return (
    output
      .split('\n')
      .find((line) => /^\w*Error\b|failed to start/.test(line.trim()))
      ?.trim() ?? 'see its output'
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process now, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : NaN;
}

export interface ServiceStack {
  readonly vault: ServiceProcess;
  readonly providerEdge: ServiceProcess;
  readonly authorityApi: ServiceProcess;
  readonly addresses: { vault: string; providerEdge: string; authorityGrpc: string };
  readonly processes: readonly ServiceProcess[];
  /** The last lines each service wrote (warnings and errors only: they run at log level warn). */
  output(): string;
  stop(): Promise<void>;
}

/** vault, provider-edge and authority-api in start order, on free ports, over `db`. */
export async function startServiceStack(
  context: BenchContext,
  db: BenchDatabase,
  extraEnv: Record<string, string> = {},
): Promise<ServiceStack> {
  const ports = {
    vault: await freePort(),
    edge: await freePort(),
    edgeInternal: await freePort(),
    authorityGrpc: await freePort(),
    authorityHttps: await freePort(),
  };
  const env = {
    EVX_CERTS_DIR: context.pki,
    ...db.env,
    VAULT_GRPC_PORT: String(ports.vault),
    VAULT_ADDRESS: `localhost:${ports.vault}`,
    PROVIDER_EDGE_GRPC_PORT: String(ports.edge),
    PROVIDER_EDGE_INTERNAL_GRPC_PORT: String(ports.edgeInternal),
    PROVIDER_EDGE_INTERNAL_ADDRESS: `localhost:${ports.edgeInternal}`,
    AUTHORITY_API_GRPC_PORT: String(ports.authorityGrpc),
    AUTHORITY_API_HTTPS_PORT: String(ports.authorityHttps),
    ...context.options.serviceEnv,
    ...extraEnv,
  };
  const started: ServiceProcess[] = [];
  try {
    started.push(await startProcess('vault', 'apps/vault/src/main.js', env));
    started.push(await startProcess('provider-edge', 'apps/provider-edge/src/main.js', env));
    started.push(await startProcess('authority-api', 'apps/authority-api/src/main.js', env));
  } catch (error) {
    await Promise.all(started.map((p) => p.stop()));
    throw error;
  }
  const [vault, providerEdge, authorityApi] = started as [ServiceProcess, ServiceProcess, ServiceProcess];
  return {
    vault,
    providerEdge,
    authorityApi,
    processes: started,
    output: () => started.map((p) => `--- ${p.name}\n${p.output().trim() || '(nothing)'}`).join('\n'),
    addresses: {
      vault: `localhost:${ports.vault}`,
      providerEdge: `localhost:${ports.edge}`,
      authorityGrpc: `localhost:${ports.authorityGrpc}`,
    },
    // authority-api first: it talks to the other two while it drains.
    stop: async () => {
      await authorityApi.stop();
      await providerEdge.stop();
      await vault.stop();
    },
  };
}
