import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDevPki } from '#evx/pki';
import { DIST_ROOT, PKI_CONFIG, REPO_ROOT } from '../cli.paths.js';

interface ServiceSpec {
  name: string;
  main: string;
  role: string;
}

/** Start order matters: authority-api's readiness needs the vault; mock adapters connect to provider-edge. */
const STACK: ServiceSpec[] = [
  { name: 'vault', main: 'apps/vault/src/main.js', role: 'evidence packages, log, audit (internal)' },
  { name: 'provider-edge', main: 'apps/provider-edge/src/main.js', role: 'ProviderExchange for enterprise adapters' },
  { name: 'authority-api', main: 'apps/authority-api/src/main.js', role: 'request API for authorities' },
  { name: 'mock-telecom', main: 'apps/mock-telecom/src/main.js', role: 'reference adapter, provider telco-a' },
  { name: 'mock-bank', main: 'apps/mock-bank/src/main.js', role: 'reference adapter, provider bank-b' },
];

interface Ready {
  type: 'evx-ready';
  name: string;
  grpcAddress?: string;
  httpsUrl?: string;
}

const COLORS = [36, 35, 33, 32, 34];

/** `evx up` (what `npm start` runs): dev PKI if missing, then every service as its own process, stopped together. */
export async function up(options: { certsDir: string; startTimeoutMs?: number }): Promise<void> {
  const pki = await ensureDevPki(options.certsDir, { config: PKI_CONFIG });
  if (pki.generated) console.log(`dev PKI generated in ${options.certsDir} (keys are git-ignored)`);
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping EVX ...');
    await Promise.all(children.map((child) => stopChild(child)));
    console.log('all services stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const ready: Ready[] = [];
  for (const [i, spec] of STACK.entries()) {
    const main = join(DIST_ROOT, spec.main);
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [main], {
      cwd: REPO_ROOT,
      env: { ...process.env, EVX_CERTS_DIR: options.certsDir },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.push(child);
    prefixOutput(child, spec.name, COLORS[i % COLORS.length]);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`${spec.name} exited (${signal ?? `code ${code}`}); stopping the stack`);
        void stopAll(1);
      }
    });
    ready.push(await waitReady(child, spec.name, options.startTimeoutMs ?? 30_000));
  }
  console.log('\nEVX is running:');
  for (const [i, r] of ready.entries()) {
    const where = [
      r.httpsUrl ? `REST ${r.httpsUrl} (health at /health)` : '',
      r.grpcAddress ? `gRPC ${r.grpcAddress}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(`  ${r.name.padEnd(14)} ${where || 'connected'}  — ${STACK[i].role}`);
  }
  console.log('Press Ctrl-C to stop.');
}

function waitReady(child: ChildProcess, name: string, timeoutMs: number): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (message: unknown) => {
      const m = message as Ready;
      if (m?.type === 'evx-ready') {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
}

function prefixOutput(child: ChildProcess, name: string, color: number): void {
  const prefix = process.stdout.isTTY ? `\x1b[${color}m${name.padEnd(14)}\x1b[0m│ ` : `${name.padEnd(14)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
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
