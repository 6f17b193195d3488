import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TrustStore, identityFromCertificate } from '#evx/pki';
import { checkGrpcHealth } from '#evx/transport';
import { httpsGet } from '../support/https-client.js';
import { freePort } from '../support/ports.js';
import { privateTestPki, sharedTestPki } from '../support/test-pki.js';
import { channelAs, serverCa } from '../support/test-stack.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

// These run the compiled programs exactly as `npm start` does; `npm test` builds first.
const DIST = resolve(process.cwd(), 'dist');

function run(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(DIST, script), ...args], {
    env: { ...process.env, ...env, EVX_LOG_LEVEL: 'log' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => text, exited };
}

async function waitFor(predicate: () => boolean, what: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  if (!existsSync(join(DIST, 'apps/cli/src/main.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does)');
});

describe('a service refuses a bad configuration value', () => {
  it('exits with code 78 and names the setting', async () => {
    const vault = run('apps/vault/src/main.js', { VAULT_GRPC_PORT: 'abc', EVX_CERTS_DIR: await sharedTestPki() });
    expect(await vault.exited).toBe(78);
    expect(vault.output()).toContain('VAULT_GRPC_PORT');
    expect(vault.output()).toContain('"abc"');
  });
});

describe('evx certs issue', () => {
  it('issues a certificate that EVX then recognises, and refuses a bad role with exit code 2', async () => {
    const pki = await privateTestPki();
    const issue = run('apps/cli/src/main.js', {}, [
      'certs',
      'issue',
      '--role',
      'judge',
      '--agency',
      'police-dn',
      '--id',
      'judge-9',
      '--certs',
      pki,
    ]);
    expect(await issue.exited).toBe(0);
    expect(issue.output()).toContain('evx://authority/police-dn/approver/judge-9');
    const trust = TrustStore.fromDirectory(pki);
    const identity = identityFromCertificate(readFileSync(join(pki, 'actors', 'police-dn.judge-9.crt')), trust);
    expect(identity).toMatchObject({ kind: 'approver', role: 'judge', agency: 'police-dn' });

    const bad = run('apps/cli/src/main.js', {}, [
      'certs',
      'issue',
      '--role',
      'janitor',
      '--agency',
      'police-dn',
      '--id',
      'x',
      '--certs',
      pki,
    ]);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('janitor');
  });
});

describe('evx up (what npm start runs)', () => {
  let db: TestDatabase;

  beforeAll(() => {
    db = testDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('starts every service and both mock adapters, answers every health check, and stops cleanly on SIGINT', async () => {
    const pki = await sharedTestPki();
    const ports = {
      vault: await freePort(),
      edge: await freePort(),
      edgeInternal: await freePort(),
      grpc: await freePort(),
      https: await freePort(),
    };
    const env: Record<string, string> = {
      EVX_CERTS_DIR: pki,
      EVX_DATA_DIR: db.settings.dataDir ?? mkdtempSync(join(tmpdir(), 'evx-up-')),
      VAULT_GRPC_PORT: String(ports.vault),
      PROVIDER_EDGE_GRPC_PORT: String(ports.edge),
      PROVIDER_EDGE_INTERNAL_GRPC_PORT: String(ports.edgeInternal),
      PROVIDER_EDGE_INTERNAL_ADDRESS: `localhost:${ports.edgeInternal}`,
      AUTHORITY_API_GRPC_PORT: String(ports.grpc),
      AUTHORITY_API_HTTPS_PORT: String(ports.https),
      VAULT_ADDRESS: `localhost:${ports.vault}`,
      PROVIDER_EDGE_ADDRESS: `localhost:${ports.edge}`,
      ...(db.settings.databaseUrl
        ? { DATABASE_URL: db.settings.databaseUrl, DATABASE_SCHEMA: db.settings.databaseSchema ?? '' }
        : {}),
    };
    const up = run('apps/cli/src/main.js', env, ['up']);
    try {
      await waitFor(
        () => up.output().includes('Press Ctrl-C to stop.') || up.child.exitCode !== null,
        () => `EVX is running; output so far:\n${up.output()}`,
      );
      expect(up.child.exitCode).toBeNull();
      const out = up.output();
      for (const name of ['vault', 'provider-edge', 'authority-api', 'mock-telecom', 'mock-bank']) {
        expect(out).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
      }
      expect(out).toContain('connected to provider-edge');

      const internal = channelAs(pki, 'services/authority-api');
      expect(await checkGrpcHealth(`localhost:${ports.vault}`, internal, 'evx.v1.VaultService')).toBe('SERVING');
      expect(await checkGrpcHealth(`localhost:${ports.edge}`, channelAs(pki, 'bank-b.main'), '')).toBe('SERVING');
      expect(await checkGrpcHealth(`localhost:${ports.grpc}`, channelAs(pki, 'dpa.aud-1'), '')).toBe('SERVING');
      const health = await httpsGet(`https://localhost:${ports.https}/health`, serverCa(pki));
      expect(health).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
    } finally {
      up.child.kill('SIGINT');
    }
    expect(await up.exited).toBe(0);
    expect(up.output()).toContain('all services stopped');
  }, 120_000);
});
