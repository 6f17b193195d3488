// The adapter's view of ProviderExchangeService through the real stack, shared by the provider-exchange e2e tests:
// an order to telco-a created, signed and approved by dev-PKI actors (reaching telco-a's task stream), and raw
// gRPC calls as an adapter (unary calls, the task stream, uploads).
import { randomUUID } from 'node:crypto';
import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { signApprovalValue, signRequestValue } from '#evx/authorisation';
import type { ApproverRole } from '#evx/workflow';
import {
  createServiceClient,
  type EvidenceRecord,
  type StreamTasksResponse,
  type Task,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
} from '#evx/proto';
import { callUnary, channelAs, keyPairOf, type TestStack } from './test-stack.js';

export interface Order {
  authorisationId: string;
  /** Set once the order is dispatched. */
  taskId: string;
  generation: number;
  status: string;
  bundle: { canonicalRequest: Buffer };
}

export interface Upload {
  write(message: UploadEvidenceRequest): boolean;
  end(): void;
  result: Promise<UploadEvidenceResponse>;
}

export const TELCO = 'telco-a.main';
export const BANK = 'bank-b.main';
export const START = Date.parse('2026-10-01T00:00:00Z');
export const END = Date.parse('2026-11-01T00:00:00Z');
export const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

export async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded but was expected to fail');
}

/** The helpers bound to a stack that the test starts later (`s` is read at each call). */
export function exchangeHelpers(s: () => TestStack) {
  // ---- the authority side: an approved order to telco-a -------------------------------------------------------

  const key = (file: string) => {
    const pair = keyPairOf(s().pki, file);
    return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
  };

  async function authority(as: string, method: string, request: unknown): Promise<Order> {
    const address = `localhost:${s().ports.authorityGrpc}`;
    return (await callUnary<{ authorisation: Order }>('authority', address, method, request, channelAs(s().pki, as)))
      .authorisation;
  }

  async function approve(order: Order, as: string, role: ApproverRole): Promise<Order> {
    const decidedAt = new Date();
    const [agency, id] = as.split('.') as [string, string];
    const value = await signApprovalValue(
      order.bundle.canonicalRequest,
      {
        approverUri: `evx://authority/${agency}/approver/${id}`,
        role,
        kind: 'STANDARD',
        decision: 'APPROVED',
        reason: '',
        decidedAt,
      },
      key(as),
    );
    return authority(as, 'approveRequest', {
      authorisationId: order.authorisationId,
      expectedGeneration: order.generation,
      role: `APPROVER_ROLE_${role}`,
      decidedAt: ts(decidedAt.getTime()),
      signature: { value },
    });
  }

  /**
   * Creates, submits and approves an order to telco-a; returns the task as it reaches telco-a's stream. By default the
   * order asks for subscriber and user-identifying data of two selectors; `requestDetails` replaces that scope.
   */
  async function approvedTask(caseReference: string, requestDetails?: Record<string, unknown>): Promise<Task> {
    const draft = await authority('police-hn.inv-1', 'createRequest', {
      idempotencyKey: randomUUID(),
      details: {
        caseReference,
        legalBasis: {
          law: 'Code of Criminal Procedure',
          article: '126na(1)',
          orderDocumentSha256: Buffer.alloc(32, 3),
        },
        typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
        urgency: 'URGENCY_STANDARD',
        targetProviderId: 'telco-a',
        requestDetails: requestDetails ?? {
          requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA', 'REQUEST_TYPE_USER_IDENTIFYING_DATA'],
          selectors: [
            { selectorId: 's1', msisdn: '+31612345678' },
            { selectorId: 's2', imsi: '204081234567890' },
          ],
          timeRange: { startTime: ts(START), endTime: ts(END) },
        },
        confidential: true,
      },
    });
    const value = await signRequestValue(draft.bundle.canonicalRequest, key('police-hn.inv-1'));
    const submitted = await authority('police-hn.inv-1', 'submitRequest', {
      authorisationId: draft.authorisationId,
      expectedGeneration: draft.generation,
      requesterSignature: { value },
    });
    const approved = await approve(
      await approve(submitted, 'police-hn.sup-1', 'SUPERVISOR'),
      'police-hn.pros-1',
      'PROSECUTOR',
    );
    expect(approved.status).toMatch(/APPROVED|DISPATCHED/);
    return waitForTask(TELCO, (task) => task.authorisationId === draft.authorisationId);
  }

  // ---- the adapter side ----------------------------------------------------------------------------------------

  const edge = () => `localhost:${s().ports.providerEdge}`;

  function exchange<T>(as: string, method: string, request: unknown): Promise<T> {
    return callUnary<T>('providerExchange', edge(), method, request, channelAs(s().pki, as));
  }

  /** Reads `as`'s task stream from the start until a task matches or the stream has caught up `rounds` times. */
  async function streamTasks(as: string, match: (task: Task) => boolean, rounds: number): Promise<Task | undefined> {
    const client = createServiceClient('providerExchange', edge(), channelAs(s().pki, as));
    try {
      return await new Promise<Task | undefined>((resolve, reject) => {
        const call = (
          client as unknown as { streamTasks(r: unknown): NodeJS.EventEmitter & { cancel(): void } }
        ).streamTasks({ cursor: '' });
        let heartbeats = 0;
        call.on('data', (event: StreamTasksResponse) => {
          if (event.task && match(event.task)) {
            call.cancel();
            resolve(event.task);
          } else if (event.heartbeat && ++heartbeats >= rounds) {
            call.cancel();
            resolve(undefined);
          }
        });
        call.on('error', (error: ServiceError) => (error.code === status.CANCELLED ? undefined : reject(error)));
      });
    } finally {
      client.close();
    }
  }

  async function waitForTask(as: string, match: (task: Task) => boolean): Promise<Task> {
    const task = await streamTasks(as, match, 20);
    if (!task) throw new Error(`no matching task reached ${as}'s stream`);
    return task;
  }

  function openUpload(as: string, taskId: string, uploadId: string): Upload {
    const client: Client = createServiceClient('providerExchange', edge(), channelAs(s().pki, as));
    let call!: { write(m: unknown): boolean; end(): void };
    const result = new Promise<UploadEvidenceResponse>((resolve, reject) => {
      call = (
        client as unknown as { uploadEvidence(cb: (e: ServiceError | null, r?: unknown) => void): typeof call }
      ).uploadEvidence((error, response) => {
        client.close();
        if (error) reject(error);
        else resolve(response as UploadEvidenceResponse);
      });
    });
    result.catch(() => undefined);
    call.write({ header: { taskId, uploadId } });
    return { write: (m) => call.write(m), end: () => call.end(), result };
  }

  async function upload(as: string, taskId: string, uploadId: string, records: EvidenceRecord[]) {
    const u = openUpload(as, taskId, uploadId);
    for (const record of records) u.write({ record });
    u.end();
    return u.result;
  }

  return { key, authority, approve, approvedTask, edge, exchange, streamTasks, waitForTask, openUpload, upload };
}
