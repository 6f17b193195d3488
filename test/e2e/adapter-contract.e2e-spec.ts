// The contract test kit against both reference adapters, as CI runs it: `evx adapter-test` as a process, which
// starts its own stack (processes from dist/, SQLite or the PostgreSQL of DATABASE_URL in a fresh schema). Then the
// kit must also FAIL adapters that break the contract, with the reason.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  builtInProfile,
  runContractKit,
  startOwnStack,
  type AdapterProfile,
  type ContractStack,
  type ScenarioResult,
} from '#evx/adapter-contract';
import { cliAuthorityDesk } from '../../apps/cli/src/commands/demo.command.js';
import { sharedTestPki } from '../support/test-pki.js';

// These run the compiled programs exactly as `npx evx adapter-test` does; `npm test` builds first.
const DIST = resolve(process.cwd(), 'dist');
const REPO = process.cwd();
const POLICY = resolve(REPO, 'libs/workflow/policies/default.policy.json');

function evx(args: string[]): Promise<{ code: number | null; out: string; stdout: string }> {
  const child = spawn(process.execPath, [join(DIST, 'apps/cli/src/main.js'), ...args], {
    env: { ...process.env, EVX_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => ((out += d.toString()), (stdout += d.toString())));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((res) => child.on('exit', (code) => res({ code, out, stdout })));
}

beforeAll(() => {
  if (!existsSync(join(DIST, 'apps/cli/src/main.js')))
    throw new Error('dist/ is missing: run `npm run build` (npm test does)');
});

const SCENARIOS = (profile: AdapterProfile) => [
  ...profile.happyPaths.map((h) => `happy-path:${h.name}`),
  'refusal',
  'reconnect-resume',
  'out-of-scope',
  'bad-signature',
];

describe('npx evx adapter-test against the reference adapters', () => {
  it('mock-telecom passes every scenario: one PASS line each, exit 0', async () => {
    const pki = await sharedTestPki();
    const run = await evx(['adapter-test', '--adapter', 'mock-telecom', '--certs', pki, '--timeout', '90']);
    for (const id of SCENARIOS(builtInProfile('mock-telecom', DIST)!))
      expect(run.out).toMatch(new RegExp(`^PASS  ${id.replace(/[:]/g, '\\$&')}\\s`, 'm'));
    expect(run.out).not.toMatch(/^FAIL/m);
    expect(run.out).toContain('0 failed');
    expect(run.code).toBe(0);
  }, 600_000);

  it('mock-bank passes every scenario (--json)', async () => {
    const pki = await sharedTestPki();
    const run = await evx(['adapter-test', '--adapter', 'mock-bank', '--certs', pki, '--timeout', '90', '--json']);
    const report = JSON.parse(run.stdout) as { passed: boolean; results: ScenarioResult[] };
    expect(report.results.map((r) => `${r.id} ${r.status} ${r.reason}`)).toEqual(
      SCENARIOS(builtInProfile('mock-bank', DIST)!).map((id) => expect.stringMatching(new RegExp(`^${id} PASS `))),
    );
    expect(report.passed).toBe(true);
    expect(run.code).toBe(0);
  }, 600_000);

  it('an unknown adapter without a profile is a usage error (exit 2)', async () => {
    const run = await evx(['adapter-test', '--adapter', 'node my-adapter.js']);
    expect(run.code).toBe(2);
    expect(run.out).toContain('--profile');
  });
});

describe('the kit fails adapters that break the contract', () => {
  let stack: ContractStack;

  beforeAll(async () => {
    stack = await startOwnStack({
      distRoot: DIST,
      repoRoot: REPO,
      certsDir: await sharedTestPki(),
      policyFile: POLICY,
      databaseUrl: process.env.DATABASE_URL,
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  const kit = (profile: AdapterProfile, only: string[], timeoutMs = 30_000) =>
    runContractKit({
      profile,
      stack,
      desk: (s) => cliAuthorityDesk({ certs: s.certsDir, url: s.authorityUrl, grpc: s.authorityGrpc }),
      timeoutMs,
      only,
    });

  it('an adapter that refuses everything fails the happy path with its grounds, and passes refusal', async () => {
    const telecom = builtInProfile('mock-telecom', DIST)!;
    const refusing = { ...telecom, env: { MOCK_FAULTS: 'refuse:CONFLICT_WITH_OTHER_LAW' } };
    const [happy, refusal] = await kit(refusing, ['happy-path:SUBSCRIBER_DATA', 'refusal']);
    expect(happy).toMatchObject({ id: 'happy-path:SUBSCRIBER_DATA', status: 'FAIL' });
    expect(happy.reason).toMatch(/refused the order: CONFLICT_WITH_OTHER_LAW/);
    expect(refusal).toMatchObject({ id: 'refusal', status: 'PASS' });
  }, 180_000);

  it('an adapter that only fulfils in part fails the happy path (not FULFILLED)', async () => {
    const bank = builtInProfile('mock-bank', DIST)!;
    const [happy] = await kit({ ...bank, env: { MOCK_FAULTS: 'partial' } }, ['happy-path:ACCOUNT_HOLDER_DATA']);
    expect(happy.status).toBe('FAIL');
    expect(happy.reason).toMatch(/PARTIALLY_FULFILLED/);
  }, 180_000);

  it('an adapter that never connects fails every scenario, saying so', async () => {
    const silent: AdapterProfile = {
      ...builtInProfile('mock-bank', DIST)!,
      name: 'silent',
      command: [process.execPath, '-e', 'setTimeout(() => {}, 60_000)'],
    };
    const results = await kit(silent, ['refusal', 'bad-signature'], 2_000);
    expect(results.map((r) => r.status)).toEqual(['FAIL', 'FAIL']);
    expect(results[0].reason).toMatch(/never connected to provider-edge/);
  }, 60_000);
});
