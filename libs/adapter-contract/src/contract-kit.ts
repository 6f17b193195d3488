// `runContractKit`: start (or reach) the stack, put a proxy in front of provider-edge, start the adapter behind it,
// run the standard scenarios one after the other, and report each as PASS or FAIL with the reason.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterProfile } from './adapter-profile.js';
import { AdapterUnderTest } from './adapter-under-test.js';
import type { AuthorityDesk } from './authority-desk.js';
import type { ContractContext } from './contract-context.js';
import type { ContractStack } from './contract-stack.js';
import { ScenarioFailure, type ScenarioResult } from './scenario.js';
import { badSignatureScenario } from './scenarios/bad-signature.scenario.js';
import type { ContractScenario } from './scenarios/contract-scenario.js';
import { happyPathScenario } from './scenarios/happy-path.scenario.js';
import { outOfScopeScenario } from './scenarios/out-of-scope.scenario.js';
import { reconnectResumeScenario } from './scenarios/reconnect-resume.scenario.js';
import { refusalScenario } from './scenarios/refusal.scenario.js';
import { TcpProxy } from './tcp-proxy.js';
import { serviceCredentials } from './evx-clients.js';
import { TaskReportWatcher } from './task-reports.js';

export interface ContractKitOptions {
  readonly profile: AdapterProfile;
  /** Started by the caller (own or running); the kit closes it. */
  readonly stack: ContractStack;
  /** Builds the authority desk for the stack (apps/cli binds it to the `evx request` functions). */
  readonly desk: (stack: ContractStack) => AuthorityDesk;
  /** Per order: how long the adapter may take. Default 60 s. */
  readonly timeoutMs?: number;
  /** Only the scenarios whose id starts with one of these. */
  readonly only?: readonly string[];
  /** Called with each result as soon as it is known. */
  readonly onResult?: (result: ScenarioResult) => void;
  readonly onProgress?: (line: string) => void;
}

/** The standard scenarios for a profile, in the order they run (the forged order last: it is the most intrusive). */
export function standardScenarios(profile: AdapterProfile): ContractScenario[] {
  return [
    ...profile.happyPaths.map((h) => happyPathScenario(h.name, h.scope)),
    refusalScenario,
    reconnectResumeScenario,
    outOfScopeScenario,
    badSignatureScenario,
  ];
}

export async function runContractKit(options: ContractKitOptions): Promise<ScenarioResult[]> {
  const { profile, stack } = options;
  const say = options.onProgress ?? (() => undefined);
  const scenarios = standardScenarios(profile).filter(
    (s) => !options.only?.length || options.only.some((prefix) => s.id.startsWith(prefix)),
  );
  const proxy = await new TcpProxy({ target: stack.providerEdge }).start();
  const reports = new TaskReportWatcher(
    stack.providerEdgeInternal,
    serviceCredentials(stack.certsDir, 'authority-api'),
  );
  const adapter = new AdapterUnderTest(profile, {
    providerEdge: proxy.address,
    certsDir: stack.certsDir,
    logDir: join(stack.workDir, 'logs'),
    dataDir: join(stack.workDir, 'adapter-data'),
  });
  mkdirSync(join(stack.workDir, 'adapter-data'), { recursive: true });
  const results: ScenarioResult[] = [];
  const record = (result: ScenarioResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  try {
    await reports.start();
    say(
      `starting ${profile.name}: ${profile.command.join(' ')} (provider-edge through the kit's proxy ${proxy.address})`,
    );
    adapter.start();
    const ctx: ContractContext = {
      profile,
      stack,
      desk: options.desk(stack),
      proxy,
      reports,
      adapter,
      timeoutMs: options.timeoutMs ?? 60_000,
      say,
      happyPathRejections: [],
    };
    await firstOf(proxy.firstConnection, adapter.exited(), ctx.timeoutMs);
    const notConnected = proxy.connections === 0;
    for (const scenario of scenarios) {
      const started = Date.now();
      if (notConnected) {
        record({
          id: scenario.id,
          title: scenario.title,
          status: 'FAIL',
          reason: `the adapter never connected to provider-edge (the kit's proxy ${proxy.address})${adapter.exitedReason() ? `: ${adapter.exitedReason()}` : ''}`,
          durationMs: 0,
        });
        continue;
      }
      say(`— ${scenario.id}: ${scenario.title}`);
      try {
        const detail = await scenario.run(ctx);
        record({
          id: scenario.id,
          title: scenario.title,
          status: 'PASS',
          reason: detail,
          durationMs: Date.now() - started,
        });
      } catch (error) {
        const reason =
          error instanceof ScenarioFailure
            ? error.message
            : `error: ${error instanceof Error ? error.message : String(error)}`;
        record({ id: scenario.id, title: scenario.title, status: 'FAIL', reason, durationMs: Date.now() - started });
      }
    }
  } finally {
    await adapter.stop();
    reports.close();
    await proxy.close();
  }
  return results;
}

/** Waits for whichever comes first, or the timeout. */
async function firstOf(a: Promise<unknown>, b: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([a, b, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
