// connectAdapter: the whole adapter protocol around three handlers. For every task, before any handler runs, the
// signed order is verified against the authority trust anchors; a bad one is refused with the reason and the handler
// never sees it. Then: acknowledge, run the handler, upload its records (resumable, backpressured), check that EVX's
// chain head and Merkle root equal the ones computed here, sign the origin statement and complete.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { AuthorisationPolicy } from '#evx/authorisation';
import type { TrustStore } from '#evx/pki';
import {
  WIRE_LIMITS,
  type EvidencePackage,
  type Notification,
  type RefusalGround as WireGround,
  type StreamTasksResponse,
  type Task,
} from '#evx/proto';
import type { RefusalGround } from '#evx/workflow';
import { adapterCredentials, type AdapterTlsFiles } from './adapter.credentials.js';
import { FaultPlan, type AdapterFaults } from './adapter.faults.js';
import { FileCursorStore, type CursorStore } from './cursor.store.js';
import type { EvidenceRecordInput } from './evidence-record.js';
import { uploadEvidence } from './evidence.uploader.js';
import { OrderRejection, verifyCancelledOrder, verifyTaskOrder } from './order.verifier.js';
import { orderTaskOf, taskContext, type CancelledTask, type OrderTask, type TaskContext } from './order-task.js';
import { adapterIdentity, signOrigin, type AdapterIdentity } from './origin.signer.js';
import { isServiceError, ProviderExchangeClient, type ExchangeCalls } from './provider-exchange.client.js';
import { TaskStream } from './task-stream.client.js';

export interface AdapterHandlers {
  /** The records that answer a disclosure task. Called again (from the start) when an upload resumes. */
  onDisclosure(task: OrderTask, ctx: TaskContext): AsyncIterable<EvidenceRecordInput> | Iterable<EvidenceRecordInput>;
  /** Freeze the data a preservation task names; acknowledged (PRESERVED) when this returns. Default: nothing. */
  onPreservation?(task: OrderTask, ctx: TaskContext): void | Promise<void>;
  /** Stop work on a task and, if `task.notice?.restrictData`, restrict the data produced for it. */
  onCancel?(task: CancelledTask): void | Promise<void>;
  /** Every notice, including those that accompany a cancellation. */
  onNotification?(notice: Notification): void | Promise<void>;
}

export interface AdapterLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AdapterOptions {
  /** provider-edge's host:port. */
  address: string;
  /** The adapter's certificate and key, and the CA of EVX's service certificates. */
  tls: AdapterTlsFiles;
  /** The authority trust anchors the signed orders are verified against (authorityTrust / devAuthorityTrust). */
  authorityTrust: TrustStore;
  /** Default: a file under `stateDir`. */
  cursorStore?: CursorStore;
  /** Where the default cursor file lives; default `data/adapters`. */
  stateDir?: string;
  /** Extra approval rules; default: approved at least once and rejected by nobody. */
  policy?: AuthorisationPolicy;
  faults?: AdapterFaults;
  logger?: AdapterLogger;
  /** Called after each task generation is dealt with (tests, metrics). */
  onOutcome?(outcome: TaskOutcome): void;
  /**
   * How many tasks are handled at once (default 4). A long upload then does not hold back the next order, such as
   * an emergency; one task's events are still handled in order, and each task uploads on its own call.
   */
  concurrency?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export type TaskResult =
  | 'fulfilled'
  | 'partially-fulfilled'
  | 'refused'
  | 'preserved'
  | 'cancelled'
  | 'clarification-requested'
  | 'skipped'
  | 'failed';

export interface TaskOutcome {
  readonly taskId: string;
  readonly generation: number;
  readonly result: TaskResult;
  /** For people: why (refusal explanation, skip reason, error). */
  readonly reason?: string;
  readonly recordCount?: number;
  readonly chainHead?: string;
  readonly merkleRoot?: string;
  readonly evidencePackage?: EvidencePackage;
  /** Where each resumed upload attempt started (its durable sequence number); empty when nothing failed. */
  readonly resumedAfter?: readonly number[];
}

export interface Adapter {
  readonly identity: AdapterIdentity;
  readonly stream: TaskStream;
  close(): Promise<void>;
}

const TERMINAL = new Set([
  'TASK_STATUS_FULFILLED',
  'TASK_STATUS_PARTIALLY_FULFILLED',
  'TASK_STATUS_REFUSED',
  'TASK_STATUS_CANCELLED',
  'TASK_STATUS_EXPIRED',
]);

/** Worth retrying later (the event is not confirmed, the stream redelivers it). */
const TRANSIENT = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.CANCELLED,
  status.INTERNAL,
  status.UNKNOWN,
]);

const consoleLogger: AdapterLogger = { log: console.log, warn: console.warn, error: console.error };
const wireGround = (ground: RefusalGround) => `REFUSAL_GROUND_${ground}` as WireGround;

/** Handles one task generation at a time; exported for unit tests with an in-memory exchange. */
export class TaskProcessor {
  private readonly notices = new Map<string, Notification>();
  private readonly closing = new AbortController();

  constructor(
    private readonly options: AdapterOptions,
    private readonly handlers: AdapterHandlers,
    private readonly client: ExchangeCalls,
    readonly identity: AdapterIdentity,
    private readonly faults: FaultPlan,
    private readonly logger: AdapterLogger,
  ) {}

  /** Cancels the upload in progress, if any; the task is handled again by the next run. */
  close(): void {
    this.closing.abort();
  }

  async onEvent(event: StreamTasksResponse): Promise<void> {
    if (this.closing.signal.aborted) throw new Error('the adapter is closing');
    if (event.notification) {
      const n = event.notification;
      this.notices.set(`${n.taskId}/${n.taskGeneration}`, n);
      await this.handlers.onNotification?.(n);
    }
    if (event.task) await this.onTask(event.task);
  }

  private report(outcome: TaskOutcome): void {
    const detail = outcome.reason ? `: ${outcome.reason}` : '';
    this.logger.log(`task ${outcome.taskId} generation ${outcome.generation} ${outcome.result}${detail}`);
    this.options.onOutcome?.(outcome);
  }

  private async onTask(task: Task): Promise<void> {
    const at = { taskId: task.taskId, generation: task.generation };
    try {
      this.report({ ...at, ...(await this.process(task)) });
    } catch (error) {
      // Redelivered after reconnecting (or by the next run, when closing).
      if (this.closing.signal.aborted || (isServiceError(error) && TRANSIENT.has(error.code))) throw error;
      const reason = isServiceError(error) ? `${status[error.code]}: ${error.details}` : String(error);
      this.report({ ...at, result: 'failed', reason });
    }
  }

  private async process(task: Task): Promise<Omit<TaskOutcome, 'taskId' | 'generation'>> {
    if (task.desiredStatus === 'TASK_DESIRED_STATUS_CANCELLED') return this.cancel(task);
    if (TERMINAL.has(task.status)) return { result: 'skipped', reason: `already ${task.status}` };
    let order;
    try {
      order = verifyTaskOrder(task, {
        trust: this.options.authorityTrust,
        providerId: this.identity.providerId,
        ...(this.options.policy ? { policy: this.options.policy } : {}),
      });
    } catch (error) {
      if (!(error instanceof OrderRejection)) throw error;
      this.logger.warn(`task ${task.taskId}: refusing an order that does not verify: ${error.explanation}`);
      return this.refuse(task, error.ground, error.explanation, []);
    }
    const view = orderTaskOf(task, order);
    return view.kind === 'preservation' ? this.preserve(task, view) : this.disclose(task, view, order.requestSha256);
  }

  private async cancel(task: Task) {
    try {
      verifyCancelledOrder(task, { trust: this.options.authorityTrust, providerId: this.identity.providerId });
    } catch (error) {
      if (!(error instanceof OrderRejection)) throw error;
      // Not this provider's genuine order: nothing to stop or restrict, and no handler sees it.
      this.logger.warn(
        `task ${task.taskId}: ignoring a cancellation of an order that does not verify: ${error.explanation}`,
      );
      return { result: 'skipped' as const, reason: error.explanation };
    }
    const notice = this.notices.get(`${task.taskId}/${task.generation}`);
    await this.handlers.onCancel?.({
      taskId: task.taskId,
      authorisationId: task.authorisationId,
      generation: task.generation,
      reason: task.statusReason,
      ...(notice ? { notice } : {}),
      wire: task,
    });
    await this.client.acknowledgeTask({ taskId: task.taskId, generation: task.generation, providerReference: '' });
    return { result: 'cancelled' as const, reason: task.statusReason };
  }

  private async refuse(task: Task, ground: RefusalGround, explanation: string, selectorIds: readonly string[]) {
    try {
      await this.client.refuseTask({
        taskId: task.taskId,
        expectedGeneration: task.generation,
        ground: wireGround(ground),
        explanation: explanation.slice(0, WIRE_LIMITS.maxTextLength),
        selectorIds: [...selectorIds],
      });
    } catch (error) {
      // Delivered again after it was refused (or finished) already: nothing left to do.
      if (!isServiceError(error) || error.code !== status.FAILED_PRECONDITION) throw error;
      return { result: 'skipped' as const, reason: `not refused again: ${error.details}` };
    }
    return { result: 'refused' as const, reason: `${ground}: ${explanation}` };
  }

  private async clarify(task: Task, question: string, selectorIds: readonly string[]) {
    await this.client.requestClarification({
      taskId: task.taskId,
      expectedGeneration: task.generation,
      question,
      selectorIds: [...selectorIds],
    });
    return { result: 'clarification-requested' as const, reason: question };
  }

  private async preserve(task: Task, view: OrderTask) {
    const { ctx, decisions } = taskContext();
    await this.handlers.onPreservation?.(view, ctx);
    if (decisions.clarification)
      return this.clarify(task, decisions.clarification.question, decisions.clarification.selectorIds);
    if (decisions.refusal) {
      const r = decisions.refusal;
      return this.refuse(task, r.ground, r.explanation, r.selectorIds);
    }
    await this.client.acknowledgeTask({ taskId: task.taskId, generation: task.generation, providerReference: '' });
    return { result: 'preserved' as const };
  }

  private async disclose(task: Task, view: OrderTask, requestSha256: string) {
    // Both at once: the upload state does not depend on the acknowledgement (one round trip less per order).
    const [{ task: acknowledged }, current] = await Promise.all([
      this.client.acknowledgeTask({ taskId: task.taskId, generation: task.generation, providerReference: '' }),
      this.client.getUploadState({ taskId: task.taskId, uploadId: '' }),
    ]);
    if (acknowledged && acknowledged.status !== 'TASK_STATUS_ACKNOWLEDGED') {
      return { result: 'skipped' as const, reason: `the task is ${acknowledged.status}` };
    }
    if (current.completed) return { result: 'skipped' as const, reason: 'its upload is already complete' };
    const uploadId = current.uploadId || randomUUID();
    const { ctx, decisions } = taskContext();
    const upload = await uploadEvidence({
      client: this.client,
      taskId: task.taskId,
      uploadId,
      records: () => this.handlers.onDisclosure(view, ctx),
      faults: this.faults,
      signal: this.closing.signal,
      onResume: (error, attempt, durable) =>
        this.logger.warn(
          `task ${task.taskId}: upload interrupted (${error instanceof Error ? error.message : String(error)}); ` +
            `attempt ${attempt} resumes after record ${durable}`,
        ),
    });
    if (decisions.clarification && upload.recordCount === 0) {
      return this.clarify(task, decisions.clarification.question, decisions.clarification.selectorIds);
    }
    if (upload.recordCount === 0) {
      const r = decisions.refusal ?? {
        ground: 'DATA_NOT_HELD' as const,
        explanation: 'no data found for the order',
        selectorIds: [],
      };
      return this.refuse(task, r.ground, r.explanation, r.selectorIds);
    }
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    // Each rejection says what to fix in the adapter (out of scope, too large, a hash that does not match).
    for (const r of upload.rejections.slice(0, 20)) {
      this.logger.warn(`task ${task.taskId}: EVX rejected record ${r.sequenceNumber} (${r.code}): ${r.reason}`);
    }
    if (upload.rejections.length > 20) {
      this.logger.warn(`task ${task.taskId}: ${upload.rejections.length - 20} more records rejected`);
    }
    this.logger.log(
      `task ${task.taskId}: ${upload.recordCount} records uploaded (${upload.rejections.length} rejected), ` +
        `chain head ${hex(upload.chainHead)}; EVX holds ${upload.state.recordCount}`,
    );
    if (
      String(upload.recordCount) !== upload.state.recordCount ||
      hex(upload.chainHead) !== hex(upload.state.chainHead) ||
      hex(upload.merkleRoot) !== hex(upload.state.merkleRoot)
    ) {
      throw new Error(
        `EVX holds ${upload.state.recordCount} records with chain head ${hex(upload.state.chainHead)}, ` +
          `the adapter produced ${upload.recordCount} with ${hex(upload.chainHead)}; not signing`,
      );
    }
    const { signature, signedAt } = await signOrigin(
      this.identity,
      {
        authorisationId: task.authorisationId,
        requestSha256,
        taskId: task.taskId,
        uploadId,
        recordCount: upload.recordCount,
        chainHead: hex(upload.chainHead),
        merkleRoot: hex(upload.merkleRoot),
      },
      new Date(),
    );
    const refusal =
      decisions.refusal ??
      (upload.truncated
        ? {
            ground: 'DE_FACTO_IMPOSSIBILITY' as const,
            explanation: `EVX's size limit for one task was reached after ${upload.recordCount} records`,
            selectorIds: [],
          }
        : undefined);
    const completed = await this.client.completeTask(
      {
        taskId: task.taskId,
        uploadId,
        expectedGeneration: task.generation,
        outcome: refusal ? 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED' : 'COMPLETION_OUTCOME_FULFILLED',
        unfulfilled: refusal
          ? {
              ground: wireGround(refusal.ground),
              explanation: refusal.explanation,
              selectorIds: [...refusal.selectorIds],
              refusedByUri: '',
            }
          : null,
        recordCount: String(upload.recordCount),
        chainHead: Buffer.from(upload.chainHead),
        merkleRoot: Buffer.from(upload.merkleRoot),
        originSignature: signature,
      },
      signedAt,
    );
    return {
      result: refusal ? ('partially-fulfilled' as const) : ('fulfilled' as const),
      ...(refusal ? { reason: `${refusal.ground}: ${refusal.explanation}` } : {}),
      recordCount: upload.recordCount,
      chainHead: hex(upload.chainHead),
      merkleRoot: hex(upload.merkleRoot),
      resumedAfter: upload.resumedAfter,
      ...(completed.evidencePackage ? { evidencePackage: completed.evidencePackage } : {}),
    };
  }
}

/**
 * Connects an adapter to provider-edge and handles its tasks until `close()`. Resolves once the task stream has
 * caught up (connected and authorised); rejects if provider-edge refuses the adapter for good.
 */
export async function connectAdapter(options: AdapterOptions, handlers: AdapterHandlers): Promise<Adapter> {
  const logger = options.logger ?? consoleLogger;
  const identity = adapterIdentity(options.tls.certPem, options.tls.keyPem);
  const credentials = adapterCredentials(options.tls);
  const client = new ProviderExchangeClient(options.address, credentials);
  const processor = new TaskProcessor(options, handlers, client, identity, new FaultPlan(options.faults), logger);
  const name = identity.uri.split('/').pop() as string;
  const cursorStore =
    options.cursorStore ??
    new FileCursorStore(join(options.stateDir ?? join('data', 'adapters'), `${identity.providerId}-${name}.cursor`));
  let stream!: TaskStream;
  await new Promise<void>((resolve, reject) => {
    stream = new TaskStream(
      {
        address: options.address,
        credentials,
        cursorStore,
        concurrency: options.concurrency ?? 4,
        ...(options.minBackoffMs !== undefined ? { minBackoffMs: options.minBackoffMs } : {}),
        ...(options.maxBackoffMs !== undefined ? { maxBackoffMs: options.maxBackoffMs } : {}),
      },
      {
        onEvent: (event) => processor.onEvent(event),
        onCaughtUp: () => resolve(),
        onDisconnect: (error: ServiceError, retryInMs) => {
          if (retryInMs === null) reject(new Error(`provider-edge refused ${identity.uri}: ${error.details}`));
          else logger.warn(`task stream lost (${error.details}); reconnecting in ${retryInMs} ms`);
        },
        onHandlerError: (error) =>
          logger.warn(`a task will be retried: ${error instanceof Error ? error.message : String(error)}`),
      },
    ).start();
  }).catch((error: unknown) => {
    stream.close();
    client.close();
    throw error;
  });
  return {
    identity,
    stream,
    close: async () => {
      processor.close();
      stream.close();
      await stream.idle().catch(() => undefined);
      client.close();
    },
  };
}
