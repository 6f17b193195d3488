// What every scenario works with, and the one flow most of them share: place an order, see the adapter complete
// it, fetch the package, verify it offline and read its records back.
import { join } from 'node:path';
import type { ServiceError } from '@grpc/grpc-js';
import { verifyPackage } from '#evx/evidence-package';
import type { GetUploadStateResponse, TaskReport } from '#evx/proto';
import type { AdapterProfile, OrderScope } from './adapter-profile.js';
import type { AdapterUnderTest } from './adapter-under-test.js';
import {
  approversFor,
  orderDetailsFor,
  placeOrder,
  type AuthorityDesk,
  type OrderDetailsInput,
  type OrderState,
} from './authority-desk.js';
import type { ContractStack } from './contract-stack.js';
import { duplicates, outOfScopeReason, readPackageRecords, type PackageRecord } from './package-records.js';
import { expectThat, ScenarioFailure } from './scenario.js';
import type { TcpProxy } from './tcp-proxy.js';
import { actorCredentials, callUnary } from './evx-clients.js';
import { kindOf, type TaskReportWatcher } from './task-reports.js';

export interface ContractContext {
  readonly profile: AdapterProfile;
  readonly stack: ContractStack;
  readonly desk: AuthorityDesk;
  readonly proxy: TcpProxy;
  readonly reports: TaskReportWatcher;
  readonly adapter: AdapterUnderTest;
  /** How long to wait for the adapter to answer one order. */
  readonly timeoutMs: number;
  /** Progress lines (--verbose). */
  say(line: string): void;
  /** Rejections EVX reported for the happy-path uploads (GetUploadState), for the out-of-scope scenario. */
  readonly happyPathRejections: string[];
}

export interface FulfilledOrder {
  readonly order: OrderState;
  readonly details: OrderDetailsInput;
  readonly completion: TaskReport;
  readonly packageFile: string;
  readonly records: PackageRecord[];
  readonly logIndex: number;
}

/** Places an order for `scope` at the adapter's provider, approved as the policy requires. */
export async function place(ctx: ContractContext, details: OrderDetailsInput): Promise<OrderState> {
  const approvers = approversFor(ctx.stack.policyFile, details.urgency, details.requestDetails.requestTypes);
  return placeOrder(ctx.desk, details, approvers, ctx.say);
}

export function detailsFor(ctx: ContractContext, scope: OrderScope, label: string): OrderDetailsInput {
  return orderDetailsFor(ctx.profile.providerId, scope, { label: `KIT-${label}` });
}

/** The adapter's first completion or refusal of the order; fails the scenario on refusal or silence. */
export async function awaitOutcome(ctx: ContractContext, authorisationId: string): Promise<TaskReport> {
  const report = await ctx.reports
    .waitFor(
      (r) => r.authorisationId === authorisationId && (r.completed != null || r.refused != null),
      ctx.timeoutMs,
      `the adapter to complete or refuse order ${authorisationId}`,
    )
    .catch((error: Error) => {
      const seen = ctx.reports.forAuthorisation(authorisationId).map(kindOf).join(', ') || 'nothing';
      throw new ScenarioFailure(`${error.message} (reports so far: ${seen})${exited(ctx)}`);
    });
  return report;
}

/** Why the adapter may have gone quiet: it exited, or the last failure it logged; and where its log is. */
function exited(ctx: ContractContext): string {
  const reason = ctx.adapter.exitedReason();
  if (reason) return `; ${reason}`;
  const said = lastFailure(ctx.adapter.output());
  return `${said ? `; the adapter said: ${said}` : ''}; its log: ${ctx.adapter.logFile}`;
}

export function lastFailure(output: string): string | undefined {
  const lines = output
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => /\b(failed|error|refus)/i.test(line));
  // Nest's prefix ("[Nest] pid - time LEVEL [context] ") says nothing the reader needs.
  return lines
    .at(-1)
    ?.replace(/^\[Nest\][^[]*\[[^\]]*\]\s+/, '')
    .trim()
    .slice(0, 400);
}

export function refusalText(report: TaskReport): string {
  const r = report.refused ?? report.completed?.unfulfilled;
  return `${String(r?.ground ?? 'no ground').replace('REFUSAL_GROUND_', '')}${r?.explanation ? `: ${r.explanation}` : ''}`;
}

/**
 * The whole happy path: order → completion → DELIVERED → download → `evx verify` → records within the order, none
 * twice. `details` lets a caller place the same order twice (reconnect scenario).
 */
export async function fulfil(
  ctx: ContractContext,
  details: OrderDetailsInput,
  afterDispatch?: (order: OrderState) => Promise<void>,
): Promise<FulfilledOrder> {
  const order = await place(ctx, details);
  if (afterDispatch) await afterDispatch(order);
  const report = await awaitOutcome(ctx, order.authorisationId);
  expectThat(!report.refused, `the adapter refused the order: ${refusalText(report)}`);
  const outcome = report.completed?.outcome;
  expectThat(
    outcome === 'COMPLETION_OUTCOME_FULFILLED',
    `the adapter completed with ${outcome}${report.completed?.unfulfilled ? ` (${refusalText(report)})` : ''}, not FULFILLED`,
  );
  const delivered = await ctx.desk
    .waitForStatus(order.authorisationId, ['DELIVERED'], ctx.timeoutMs, ['REFUSED', 'EXPIRED', 'WITHDRAWN'])
    .catch((error: Error) => {
      throw new ScenarioFailure(`the order did not reach DELIVERED: ${error.message}`);
    });
  const packageFile = join(ctx.stack.workDir, `${delivered.authorisationId}.tar`);
  await ctx.desk.downloadPackage(order.authorisationId, packageFile).catch((error: Error) => {
    throw new ScenarioFailure(`download failed: ${error.message}`);
  });
  const verification = await verifyPackage(packageFile, { trustDir: ctx.stack.certsDir });
  expectThat(verification.valid, `evx verify: INVALID: ${verification.failure?.message}`);
  expectThat(
    verification.facts?.providerId === ctx.profile.providerId,
    `the package is signed for provider ${verification.facts?.providerId}, not ${ctx.profile.providerId}`,
  );
  const records = await readPackageRecords(packageFile);
  expectThat(records.length > 0, 'the package holds no record');
  for (const record of records) {
    const why = outOfScopeReason(record, details);
    expectThat(!why, `record ${record.sequenceNumber} is outside the order (${why}) yet in the package`);
  }
  const twice = duplicates(records);
  expectThat(twice.length === 0, `${twice.length} record(s) are in the package twice, e.g. ${twice[0]}`);
  return {
    order: delivered,
    details,
    completion: report,
    packageFile,
    records,
    logIndex: verification.facts?.log.index ?? -1,
  };
}

/** What provider-edge holds of the adapter's upload for a task, asked with the adapter's own certificate. */
export async function uploadState(ctx: ContractContext, taskId: string): Promise<GetUploadStateResponse | undefined> {
  if (!ctx.profile.identity) return undefined;
  try {
    return await callUnary<GetUploadStateResponse>(
      'providerExchange',
      ctx.stack.providerEdge,
      'getUploadState',
      { taskId, uploadId: '' },
      actorCredentials(ctx.stack.certsDir, ctx.profile.identity),
    );
  } catch (error) {
    // NOT_FOUND: no upload for the task, which is an answer too.
    if ((error as ServiceError).code === 5) return undefined;
    throw error;
  }
}
