// `npx evx demo` against the stack `evx up` (npm start) runs, as processes on free ports: both orders approved by
// the right people, fulfilled by the mock adapters, downloaded and verified. And a clear exit 2 without a stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyPackage } from '#evx/evidence-package';
import { freePort } from '../support/ports.js';
import { sharedTestPki } from '../support/test-pki.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const DIST = resolve(process.cwd(), 'dist');

function run(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [join(DIST, 'apps/cli/src/main.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => text, exited };
}

beforeAll(() => {
  if (!existsSync(join(DIST, 'apps/cli/src/main.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does)');
});

describe('npx evx demo', () => {
  let db: TestDatabase;
  let out: string;

  beforeAll(() => {
    db = testDatabase();
    out = mkdtempSync(join(tmpdir(), 'evx-demo-out-'));
  });

  afterAll(async () => {
    await db.drop();
    rmSync(out, { recursive: true, force: true });
  });

  it('without a running stack: exit 2 and says to run npm start', async () => {
    const port = await freePort();
    const demo = run(['demo', '--certs', await sharedTestPki(), '--url', `https://localhost:${port}`, '--out', out]);
    expect(await demo.exited).toBe(2);
    expect(demo.output()).toMatch(/EVX is not running at https:\/\/localhost:\d+ .*npm start/);
  });

  it('tells the story, leaves two valid packages in --out, exit 0', async () => {
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
      EVX_DATA_DIR: db.settings.dataDir,
      EVX_LOG_LEVEL: 'warn',
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
    const up = run(['up'], env);
    try {
      await new Promise<void>((res, rej) => {
        const timer = setInterval(() => {
          if (up.output().includes('Press Ctrl-C to stop.')) {
            clearInterval(timer);
            res();
          } else if (up.child.exitCode !== null) {
            clearInterval(timer);
            rej(new Error(`evx up exited:\n${up.output()}`));
          }
        }, 100);
      });
      const demo = run(
        ['demo', '--url', `https://localhost:${ports.https}`, '--grpc', `localhost:${ports.grpc}`, '--out', out],
        { EVX_CERTS_DIR: pki },
      );
      const code = await demo.exited;
      const story = demo.output();
      expect(story).toMatch(/\[1\/7\] Emergency order to telco-a/);
      expect(story).toContain('police-hn.duty-1 approved as DUTY_OFFICER');
      expect(story).toContain('police-hn.sup-1 approved as SUPERVISOR');
      expect(story).toContain('police-hn.judge-1 validated it as JUDGE');
      expect(story).not.toContain('FAILED');
      expect(code).toBe(0);
      const packages = readdirSync(out).filter((f) => f.endsWith('.tar'));
      expect(packages.map((f) => f.replace(/-[0-9a-f-]{36}\.tar$/, ''))).toEqual(
        expect.arrayContaining(['telco-a-emergency', 'bank-b-standard']),
      );
      for (const file of packages) {
        const verification = await verifyPackage(join(out, file), { trustDir: pki });
        expect(verification.failure).toBeUndefined();
        expect(verification.valid).toBe(true);
      }
    } finally {
      up.child.kill('SIGINT');
      await up.exited;
    }
  }, 300_000);
});
