// `evx adapter-test`: the contract test kit (#evx/adapter-contract, docs/contract-kit.md) against an adapter: a
// built-in reference adapter (`--adapter mock-telecom|mock-bank`) or any command with a profile. One line per
// scenario, PASS or FAIL with the reason. Exit codes: 0 every scenario passed, 1 one failed, 2 usage or set-up error.
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import {
  BUILT_IN_ADAPTERS,
  builtInProfile,
  formatResult,
  loadProfile,
  runContractKit,
  runningStack,
  startOwnStack,
  type AdapterProfile,
  type ContractStack,
  type ScenarioResult,
} from '#evx/adapter-contract';
import { ensureDevPki } from '#evx/pki';
import { DIST_ROOT, PKI_CONFIG, REPO_ROOT } from '../cli.paths.js';
import { cliAuthorityDesk } from './demo.command.js';

export interface AdapterTestOptions {
  /** mock-telecom, mock-bank, or a command line (then `profile` is required). */
  adapter: string;
  profile?: string;
  certs: string;
  /** Test against a running stack at these addresses instead of starting one. */
  running?: boolean;
  url: string;
  grpc: string;
  edge: string;
  edgeInternal: string;
  policyFile: string;
  timeoutMs: number;
  only?: string[];
  keep?: boolean;
  /** Paths of the compiled project; default the CLI's own. */
  distRoot?: string;
  repoRoot?: string;
}

export class AdapterTestUsageError extends Error {
  override name = 'AdapterTestUsageError';
}

/** The profile for `--adapter`: a built-in one, or the `--profile` file with `--adapter` as its command. */
export function profileFor(options: Pick<AdapterTestOptions, 'adapter' | 'profile' | 'distRoot'>): AdapterProfile {
  const builtIn = builtInProfile(options.adapter, options.distRoot ?? DIST_ROOT);
  if (builtIn && !options.profile) return builtIn;
  if (!options.profile)
    throw new AdapterTestUsageError(
      `--adapter ${options.adapter} is not built in (${BUILT_IN_ADAPTERS.join(', ')}): give --profile <file.json> describing it (docs/contract-kit.md)`,
    );
  const profile = loadProfile(options.profile);
  // A command given on the command line wins over the profile's; a built-in name keeps the profile's.
  return builtIn ? profile : { ...profile, command: splitCommand(options.adapter) };
}

/** Splits a command line on spaces, keeping "quoted parts" whole (no shell is involved). */
export function splitCommand(line: string): string[] {
  const parts = line.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  return parts.map((p) => p.replace(/^(["'])(.*)\1$/, '$2'));
}

/** Runs the kit; `onResult` sees each scenario as it finishes. */
export async function adapterTest(
  options: AdapterTestOptions,
  onResult: (result: ScenarioResult) => void = () => undefined,
  onProgress?: (line: string) => void,
  onKept?: (workDir: string) => void,
): Promise<ScenarioResult[]> {
  const profile = profileFor(options);
  await ensureDevPki(options.certs, { config: PKI_CONFIG });
  const stack: ContractStack = options.running
    ? runningStack(
        {
          certsDir: options.certs,
          authorityUrl: options.url,
          authorityGrpc: options.grpc,
          providerEdge: options.edge,
          providerEdgeInternal: options.edgeInternal,
          policyFile: options.policyFile,
        },
        { keepWorkDir: options.keep },
      )
    : await startOwnStack({
        distRoot: options.distRoot ?? DIST_ROOT,
        repoRoot: options.repoRoot ?? REPO_ROOT,
        certsDir: options.certs,
        policyFile: options.policyFile,
        databaseUrl: process.env.DATABASE_URL,
        keepWorkDir: options.keep,
      });
  onProgress?.(
    `work folder (logs, packages): ${stack.workDir}${options.keep ? '' : ' (removed at the end; --keep keeps it)'}`,
  );
  let results: ScenarioResult[] = [];
  try {
    results = await runContractKit({
      profile,
      stack,
      desk: (s) => cliAuthorityDesk({ certs: s.certsDir, url: s.authorityUrl, grpc: s.authorityGrpc }),
      timeoutMs: options.timeoutMs,
      only: options.only,
      onResult,
      onProgress,
    });
    return results;
  } finally {
    // The reasons of a failure point into the work folder (logs, packages): keep it then.
    const failed = results.some((r) => r.status === 'FAIL');
    await stack.close({ keepWorkDir: failed });
    if (failed && !options.keep) onKept?.(stack.workDir);
  }
}

export function adapterTestCommand(program: Command, certsDirOption: () => Option): void {
  program
    .command('adapter-test')
    .description(
      'run the adapter contract test kit: happy paths, refusal, reconnect and resume, out-of-scope, forged order',
    )
    .requiredOption(
      '--adapter <name|command>',
      `${BUILT_IN_ADAPTERS.join(' or ')}, or the command that starts your adapter`,
    )
    .option('--profile <file.json>', 'what the kit must know about your adapter (docs/contract-kit.md)')
    .addOption(certsDirOption())
    .option('--running', 'test against a running stack at the addresses below instead of starting one')
    .option('--url <url>', 'authority-api REST (with --running)', 'https://localhost:8443')
    .option('--grpc <host:port>', 'authority-api gRPC (with --running)', 'localhost:50051')
    .option('--edge <host:port>', 'provider-edge, adapters’ port (with --running)', 'localhost:50052')
    .option('--edge-internal <host:port>', 'provider-edge internal port (with --running)', 'localhost:50054')
    .option('--only <ids...>', 'only the scenarios whose id starts with these, e.g. happy-path refusal')
    .option('--timeout <seconds>', 'how long the adapter may take for one order', '60')
    .option('--keep', 'keep the work folder (service and adapter logs, packages)')
    .option('--verbose', 'tell each step')
    .option('--json', 'print the results as JSON')
    .action(
      async (opts: {
        adapter: string;
        profile?: string;
        certs: string;
        running?: boolean;
        url: string;
        grpc: string;
        edge: string;
        edgeInternal: string;
        only?: string[];
        timeout: string;
        keep?: boolean;
        verbose?: boolean;
        json?: boolean;
      }) => {
        const timeoutMs = Number(opts.timeout) * 1000;
        if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
          console.error(`evx: --timeout must be a positive number of seconds, not "${opts.timeout}"`);
          process.exitCode = 2;
          return;
        }
        const policyFile = resolve(
          process.env.AUTHORITY_API_POLICY_FILE ?? join(REPO_ROOT, 'libs/workflow/policies/default.policy.json'),
        );
        let results: ScenarioResult[];
        try {
          results = await adapterTest(
            { ...opts, certs: resolve(opts.certs), policyFile, timeoutMs },
            (r) => {
              if (!opts.json) console.log(formatResult(r));
            },
            opts.verbose && !opts.json ? (line) => console.log(`  ${line}`) : undefined,
            (dir) => console.error(`logs and packages kept in ${dir}`),
          );
        } catch (error) {
          console.error(`evx adapter-test: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 2;
          return;
        }
        const failed = results.filter((r) => r.status === 'FAIL').length;
        if (opts.json) console.log(JSON.stringify({ adapter: opts.adapter, passed: failed === 0, results }, null, 2));
        else console.log(`${results.length - failed} passed, ${failed} failed`);
        process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
      },
    );
}
