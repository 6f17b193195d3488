// The EVX stack the kit tests against: its own (vault, provider-edge, authority-api as processes from dist/, on
// free ports, with a temporary data folder, SQLite or the PostgreSQL of DATABASE_URL in a fresh schema), or a
// running one whose addresses the caller gives.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startProcess, waitReady, type ManagedProcess } from './service-processes.js';

/** Where the stack's services are, and the PKI they trust. */
export interface StackEndpoints {
  readonly certsDir: string;
  /** authority-api REST, https://host:port. */
  readonly authorityUrl: string;
  /** authority-api gRPC, host:port. */
  readonly authorityGrpc: string;
  /** provider-edge's adapter port, host:port. */
  readonly providerEdge: string;
  /** provider-edge's internal TaskDispatchService port, host:port. */
  readonly providerEdgeInternal: string;
  /** The workflow policy authority-api runs with. */
  readonly policyFile: string;
}

export interface ContractStack extends StackEndpoints {
  /** Where the kit keeps its logs and downloads. */
  readonly workDir: string;
  readonly services: readonly ManagedProcess[];
  /** Stops what the kit started; the work folder stays if `keepWorkDir` (here or at the start) says so. */
  close(options?: { readonly keepWorkDir?: boolean }): Promise<void>;
}

export interface OwnStackOptions {
  readonly distRoot: string;
  readonly repoRoot: string;
  readonly certsDir: string;
  readonly policyFile: string;
  /** PostgreSQL instead of SQLite; a fresh schema is made and dropped. */
  readonly databaseUrl?: string;
  readonly startTimeoutMs?: number;
  /** Keep the work folder (logs) after closing. */
  readonly keepWorkDir?: boolean;
}

const SERVICES = [
  { name: 'vault', main: 'apps/vault/src/main.js' },
  { name: 'provider-edge', main: 'apps/provider-edge/src/main.js' },
  { name: 'authority-api', main: 'apps/authority-api/src/main.js' },
] as const;

export async function startOwnStack(options: OwnStackOptions): Promise<ContractStack> {
  for (const s of SERVICES)
    if (!existsSync(join(options.distRoot, s.main)))
      throw new Error(`${join(options.distRoot, s.main)} is missing: run \`npm run build\` first`);
  const workDir = mkdtempSync(join(tmpdir(), 'evx-adapter-test-'));
  const dataDir = join(workDir, 'data');
  const logDir = join(workDir, 'logs');
  mkdirSync(dataDir);
  mkdirSync(logDir);
  const ports = {
    vault: await freePort(),
    edge: await freePort(),
    edgeInternal: await freePort(),
    grpc: await freePort(),
    https: await freePort(),
  };
  const schema = options.databaseUrl ? `evx_kit_${randomBytes(6).toString('hex')}` : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVX_CERTS_DIR: options.certsDir,
    EVX_DATA_DIR: dataDir,
    EVX_LOG_LEVEL: process.env.EVX_LOG_LEVEL ?? 'log',
    VAULT_GRPC_PORT: String(ports.vault),
    VAULT_ADDRESS: `localhost:${ports.vault}`,
    PROVIDER_EDGE_GRPC_PORT: String(ports.edge),
    PROVIDER_EDGE_INTERNAL_GRPC_PORT: String(ports.edgeInternal),
    PROVIDER_EDGE_INTERNAL_ADDRESS: `localhost:${ports.edgeInternal}`,
    PROVIDER_EDGE_TASK_POLL_MS: '100',
    PROVIDER_EDGE_HEARTBEAT_MS: '1000',
    AUTHORITY_API_GRPC_PORT: String(ports.grpc),
    AUTHORITY_API_HTTPS_PORT: String(ports.https),
    AUTHORITY_API_POLICY_FILE: options.policyFile,
    AUTHORITY_API_WATCH_POLL_MS: '100',
    AUTHORITY_API_WATCH_HEARTBEAT_MS: '1000',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: schema } : {}),
  };
  if (!options.databaseUrl) {
    delete env.DATABASE_URL;
    delete env.DATABASE_SCHEMA;
  }
  const services: ManagedProcess[] = [];
  const close = async (closing: { readonly keepWorkDir?: boolean } = {}) => {
    // authority-api first: it calls the others.
    for (const service of [...services].reverse()) await service.stop();
    if (schema && options.databaseUrl) await dropSchema(options.databaseUrl, schema);
    if (!options.keepWorkDir && !closing.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    for (const spec of SERVICES) {
      const service = startProcess(spec.name, [process.execPath, join(options.distRoot, spec.main)], env, logDir, {
        ipc: true,
        cwd: options.repoRoot,
      });
      services.push(service);
      await waitReady(service, options.startTimeoutMs ?? 60_000);
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return {
    certsDir: options.certsDir,
    authorityUrl: `https://localhost:${ports.https}`,
    authorityGrpc: `localhost:${ports.grpc}`,
    providerEdge: `localhost:${ports.edge}`,
    providerEdgeInternal: `localhost:${ports.edgeInternal}`,
    policyFile: options.policyFile,
    workDir,
    services,
    close,
  };
}

/** A stack someone else runs (e.g. `npm start`); closing it only removes the kit's work folder. */
export function runningStack(
  endpoints: StackEndpoints,
  options: { readonly keepWorkDir?: boolean } = {},
): ContractStack {
  const workDir = mkdtempSync(join(tmpdir(), 'evx-adapter-test-'));
  mkdirSync(join(workDir, 'logs'));
  return {
    ...endpoints,
    workDir,
    services: [],
    close: async (closing: { readonly keepWorkDir?: boolean } = {}) => {
      if (!options.keepWorkDir && !closing.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
