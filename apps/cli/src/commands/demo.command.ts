// `evx demo`: the whole exchange against the stack `npm start` runs, told step by step. An emergency order to
// telco-a (duty officer, then the judge's validation) and a standard order to bank-b (supervisor, judge) are
// created, signed, approved, fulfilled by the mock adapters, downloaded and verified offline. Everything goes
// through the `evx request` / `evx package` / `evx verify` functions an investigator uses; nothing is faked.
// Exit codes: 0 every step succeeded; 1 a step failed (named); 2 the stack is not running or a flag is wrong.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command, Option } from 'commander';
import {
  approversFor,
  DEV_PEOPLE,
  MOCK_BANK,
  MOCK_TELECOM,
  orderDetailsFor,
  placeOrder,
  validatorFor,
  type AuthorityDesk,
  type OrderDetailsInput,
  type OrderState,
} from '#evx/adapter-contract';
import { verifyPackage } from '#evx/evidence-package';
import { ApiError, getJson, postJson } from '../authority-api.http-client.js';
import { REPO_ROOT } from '../cli.paths.js';
import {
  decideRequest,
  identityOf,
  showRequest,
  submitRequest,
  type RequestConnection,
  type RequestView,
} from './request/request.actions.js';
import { watchRequests } from './request/request.watch.js';
import { downloadPackageFile, type DownloadProgress, type DownloadSummary } from './package/package.download.js';

/** Where the stack is: the same defaults as every other `evx` command. */
export interface StackConnection {
  /** PKI folder (certs-dev/out). */
  certs: string;
  /** authority-api REST base URL. */
  url: string;
  /** authority-api gRPC address (WatchRequests). */
  grpc: string;
}

const short = (status: string) => status.replace(/^REQUEST_STATUS_/, '');

const stateOf = (view: RequestView): OrderState => ({
  authorisationId: view.authorisationId,
  status: short(view.status),
  generation: view.generation,
  statusReason: view.statusReason,
});

/** The authority desk over authority-api's REST and gRPC, acting as the dev identities, with each one's own key. */
export function cliAuthorityDesk(stack: StackConnection): AuthorityDesk {
  const as = (identity: string): RequestConnection => ({ certs: stack.certs, as: identity, url: stack.url });
  const investigator = as(DEV_PEOPLE.investigator);
  const desk: AuthorityDesk = {
    async createDraft(details: OrderDetailsInput) {
      const view = await postJson<RequestView>(
        stack.url,
        '/v1/requests',
        { idempotencyKey: randomUUID(), details },
        identityOf(investigator),
      );
      return stateOf(view);
    },
    submit: async (id) => stateOf(await submitRequest({ ...investigator, id })),
    approve: async (id, approver, kind = 'approve', reason) =>
      stateOf(
        await decideRequest(kind, {
          ...as(approver.identity),
          id,
          role: approver.role,
          ...(reason ? { reason } : {}),
        }),
      ),
    show: async (id) => stateOf(await showRequest({ ...investigator, id })),
    waitForStatus: (id, statuses, timeoutMs, failIn = []) =>
      waitForStatus(stack, investigator, id, statuses, timeoutMs, failIn),
    downloadPackage: async (id, file) => void (await downloadPackageTo(investigator, id, file)),
  };
  return desk;
}

/**
 * Follows one order (gRPC WatchRequests, from now on) until it reaches one of `statuses`. The order is read once the
 * watch has caught up, so a change made before the watch started is not missed.
 */
export function waitForStatus(
  stack: StackConnection,
  as: RequestConnection,
  id: string,
  statuses: readonly string[],
  timeoutMs: number,
  failIn: readonly string[],
  onChange?: (status: string) => void,
): Promise<OrderState> {
  const stop = new AbortController();
  return new Promise<OrderState>((resolvePromise, reject) => {
    let last = '?';
    const timer = setTimeout(() => {
      stop.abort();
      reject(
        new Error(`order ${id} is still ${last} after ${timeoutMs / 1000} s (waiting for ${statuses.join(' or ')})`),
      );
    }, timeoutMs);
    const settle = (state: OrderState) => {
      last = state.status;
      if (statuses.includes(state.status)) {
        clearTimeout(timer);
        stop.abort();
        resolvePromise(state);
      } else if (failIn.includes(state.status)) {
        clearTimeout(timer);
        stop.abort();
        reject(new Error(`order ${id} ended ${state.status}${state.statusReason ? `: ${state.statusReason}` : ''}`));
      }
    };
    watchRequests(
      { ...as, grpc: stack.grpc, ids: [id] },
      (change) => {
        onChange?.(short(change.newStatus));
        settle({
          authorisationId: id,
          status: short(change.newStatus),
          generation: change.generation,
          statusReason: change.reason,
        });
      },
      {
        signal: stop.signal,
        onCaughtUp: () =>
          void showRequest({ ...as, id }).then(
            (view) => settle(stateOf(view)),
            (error: unknown) => {
              clearTimeout(timer);
              stop.abort();
              reject(error);
            },
          ),
      },
    ).catch((error: unknown) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Saves the order's package as `file` with `evx package download`'s function (resumable, SHA-256 checked). */
export async function downloadPackageTo(
  as: RequestConnection,
  id: string,
  file: string,
  progress?: DownloadProgress,
): Promise<DownloadSummary> {
  return downloadPackageFile({ ...as, id, out: file }, progress);
}

/** A progress bar on a terminal; nothing otherwise (the story prints the size when done). */
function downloadBar(): DownloadProgress | undefined {
  if (!process.stdout.isTTY) return undefined;
  const bar = new SingleBar(
    { format: '      [{bar}] {percentage}% {value}/{total} bytes', hideCursor: true },
    Presets.shades_classic,
  );
  return {
    start: (total, already) => bar.start(total, already),
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}

export interface DemoOptions extends StackConnection {
  /** Where the packages go; default ./out/demo. */
  out: string;
  /** The policy authority-api runs with (AUTHORITY_API_POLICY_FILE, or the default policy). */
  policyFile: string;
  /** How long to wait for each order to be delivered. Default 120 s. */
  timeoutMs?: number;
}

/** What the demo produced, for --json and tests. */
export interface DemoResult {
  ok: boolean;
  failedStep?: string;
  error?: string;
  orders: { label: string; authorisationId?: string; status?: string; packageFile?: string; valid?: boolean }[];
}

export class StackNotRunning extends Error {
  override name = 'StackNotRunning';
}

/** The emergency order: a missing person's phone, telco-a, the last two days. */
export function emergencyOrder(now = new Date()): OrderDetailsInput {
  return orderDetailsFor(
    'telco-a',
    {
      requestTypes: ['SUBSCRIBER_DATA', 'LOCATION_DATA'],
      selectors: [{ selectorId: 'phone', kind: 'msisdn', value: MOCK_TELECOM.msisdn }],
      timeRange: { lastDays: 2 },
    },
    { label: 'DEMO-EMERGENCY', urgency: 'EMERGENCY', now },
  );
}

/** The standard order: an account's holder and its transactions over the last 30 days, bank-b. */
export function standardOrder(now = new Date()): OrderDetailsInput {
  return orderDetailsFor(
    'bank-b',
    {
      requestTypes: ['ACCOUNT_HOLDER_DATA', 'TRANSACTION_DATA'],
      selectors: [{ selectorId: 'account', kind: 'iban', value: MOCK_BANK.iban }],
      timeRange: { lastDays: 30 },
    },
    { label: 'DEMO-STANDARD', now },
  );
}

/** Fails with StackNotRunning, saying what to do, unless authority-api answers its health check. */
export async function checkStack(stack: StackConnection): Promise<void> {
  const investigatorCert = join(stack.certs, 'actors', `${DEV_PEOPLE.investigator}.crt`);
  if (!existsSync(investigatorCert))
    throw new StackNotRunning(
      `no dev PKI in ${stack.certs} (${investigatorCert} is missing): start EVX with \`npm start\`, which generates it, then run \`npx evx demo\` again`,
    );
  try {
    await getJson(
      stack.url,
      '/health',
      identityOf({ certs: stack.certs, as: DEV_PEOPLE.investigator, url: stack.url }),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiError && error.status > 0 && error.status < 500) return;
    throw new StackNotRunning(
      `EVX is not running at ${stack.url} (${reason}): start it with \`npm start\` in another terminal, wait for "EVX is running", then run \`npx evx demo\` again`,
    );
  }
}

/**
 * Runs the demo, telling the story through `say`. Never throws for a failed step: the result names it. Throws
 * StackNotRunning when there is nothing to talk to.
 */
export async function runDemo(options: DemoOptions, say: (line: string) => void = console.log): Promise<DemoResult> {
  const desk = cliAuthorityDesk(options);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const result: DemoResult = { ok: false, orders: [{ label: 'emergency → telco-a' }, { label: 'standard → bank-b' }] };
  const [emergency, standard] = result.orders;
  const steps = 7;
  let n = 0;
  let current = '';
  const step = (title: string) => {
    n += 1;
    current = title;
    say(`\n[${n}/${steps}] ${title}`);
  };
  const tell = (line: string) => say(`      ${line}`);

  await checkStack(options);
  try {
    step('Emergency order to telco-a: a missing person, subscriber and location data of the last 2 days');
    const urgent = emergencyOrder();
    const urgentPlan = approversFor(options.policyFile, 'EMERGENCY', urgent.requestDetails.requestTypes);
    tell(
      `policy: one ${urgentPlan.map((a) => a.role).join(', then ')} approval dispatches it at once; a judge validates within 48 h`,
    );
    const e = await placeOrder(desk, urgent, urgentPlan, tell);
    emergency.authorisationId = e.authorisationId;
    emergency.status = e.status;

    step('Standard order to bank-b: account holder and transactions of the last 30 days');
    const regular = standardOrder();
    const regularPlan = approversFor(options.policyFile, 'STANDARD', regular.requestDetails.requestTypes);
    tell(`policy: ${regularPlan.map((a) => a.role).join(', then ')}`);
    const s = await placeOrder(desk, regular, regularPlan, tell);
    standard.authorisationId = s.authorisationId;
    standard.status = s.status;

    step('The adapters receive the signed orders, verify them, and upload the evidence');
    const investigator = { certs: options.certs, as: DEV_PEOPLE.investigator, url: options.url };
    const follow = (order: typeof emergency, label: string, adapter: string) =>
      waitForStatus(
        options,
        investigator,
        order.authorisationId as string,
        ['DELIVERED'],
        timeoutMs,
        ['REFUSED', 'REJECTED', 'EXPIRED', 'WITHDRAWN', 'VALIDATION_REJECTED', 'VALIDATION_OVERDUE'],
        (status) => {
          if (status !== 'DELIVERED') tell(`${label}: ${status}`);
        },
      ).then(
        (state) => {
          order.status = state.status;
          tell(
            `${label}: ${state.status}: the package is complete, countersigned by EVX and anchored in the vault's log`,
          );
        },
        (error: Error) => {
          throw new Error(
            `${error.message}; is ${adapter} running and connected? (\`npm start\` runs it; its output says what it did)`,
          );
        },
      );
    // Both watches end (delivered, failed or timed out) before the demo moves on or reports, so none outlives it.
    const followed = await Promise.allSettled([
      follow(emergency, 'telco-a', 'mock-telecom'),
      follow(standard, 'bank-b', 'mock-bank'),
    ]);
    for (const outcome of followed) if (outcome.status === 'rejected') throw outcome.reason;

    step("The judge validates the emergency order (the provisional approval's after-the-fact check)");
    const judge = validatorFor(options.policyFile);
    const validated = await desk.approve(
      emergency.authorisationId as string,
      judge,
      'validate',
      'imminent risk to life confirmed; the emergency measure was justified',
    );
    tell(
      `${judge.identity} validated it as ${judge.role}, signed with their own key; the order stays ${validated.status}`,
    );

    step(`Download both packages into ${options.out}`);
    mkdirSync(options.out, { recursive: true });
    for (const [order, name] of [
      [emergency, 'telco-a-emergency'],
      [standard, 'bank-b-standard'],
    ] as const) {
      const file = join(options.out, `${name}-${order.authorisationId}.tar`);
      const saved = await downloadPackageTo(investigator, order.authorisationId as string, file, downloadBar());
      order.packageFile = saved.file;
      tell(`${saved.file}: ${saved.size} bytes, SHA-256 ${saved.sha256.slice(0, 16)}… checked`);
    }

    step('Verify each package offline (evx verify): records, hash chain, Merkle root, signatures, log proof');
    for (const order of [emergency, standard]) {
      const verification = await verifyPackage(order.packageFile as string, { trustDir: options.certs });
      order.valid = verification.valid;
      tell(
        verification.valid
          ? `VALID  ${order.packageFile}: ${verification.facts?.recordCount} records; ${verification.proves ?? ''}`
          : `INVALID ${order.packageFile}: ${verification.failure?.message}`,
      );
      if (!verification.valid) throw new Error(`evx verify ${order.packageFile}: ${verification.failure?.message}`);
    }

    step('Done');
    tell('Two orders, signed by the people the policy names, answered by the providers, provable offline.');
    tell(`Check them yourself: npx evx verify ${emergency.packageFile}`);
    result.ok = true;
  } catch (error) {
    result.failedStep = current;
    result.error = error instanceof Error ? error.message : String(error);
    say(`\nFAILED at step ${n} (${current}): ${result.error}`);
  }
  return result;
}

export function demoCommand(program: Command, certsDirOption: () => Option): void {
  program
    .command('demo')
    .description(
      'against the running stack (npm start): an emergency order to telco-a and a standard order to bank-b, approved, fulfilled, downloaded and verified',
    )
    .addOption(certsDirOption())
    .option('--out <folder>', 'where the packages go', './out/demo')
    .option('--url <url>', 'authority-api REST base URL', 'https://localhost:8443')
    .option('--grpc <host:port>', 'authority-api gRPC address', 'localhost:50051')
    .option('--timeout <seconds>', 'how long to wait for each order to be delivered', '120')
    .option('--json', 'print the result as JSON at the end')
    .action(
      async (opts: { certs: string; out: string; url: string; grpc: string; timeout: string; json?: boolean }) => {
        const timeoutMs = Number(opts.timeout) * 1000;
        if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
          console.error(`evx: --timeout must be a positive number of seconds, not "${opts.timeout}"`);
          process.exitCode = 2;
          return;
        }
        const options: DemoOptions = {
          certs: resolve(opts.certs),
          url: opts.url,
          grpc: opts.grpc,
          out: resolve(opts.out),
          policyFile: resolve(
            process.env.AUTHORITY_API_POLICY_FILE ?? join(REPO_ROOT, 'libs/workflow/policies/default.policy.json'),
          ),
          timeoutMs,
        };
        try {
          const result = await runDemo(options);
          if (opts.json) console.log(JSON.stringify(result, null, 2));
          process.exitCode = result.ok ? 0 : 1;
        } catch (error) {
          if (!(error instanceof StackNotRunning)) throw error;
          console.error(`evx demo: ${error.message}`);
          process.exitCode = 2;
        }
      },
    );
}
