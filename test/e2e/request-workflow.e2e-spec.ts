// The request workflow over gRPC with the real stack and the dev PKI: create, submit signed, approvals signed by
// their approvers, the emergency path with a controllable clock, and every refusal the issue names.
import { randomUUID } from 'node:crypto';
import {
  bundleFromWire,
  signApprovalValue,
  signRequestValue,
  verifyAuthorisation,
  type ActorKey,
} from '#evx/authorisation';
import { TrustStore } from '#evx/pki';
import { TaskStream } from '#evx/adapter-sdk';
import { createServiceClient, type StreamTasksResponse, type Task } from '#evx/proto';
import { ManualClock, type ApprovalKind, type ApproverRole } from '#evx/workflow';
import { RequestSchedulerService } from '../../apps/authority-api/src/requests/request-scheduler.service.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, startTestStack, type TestStack } from '../support/test-stack.js';

interface WireAuthorisation {
  authorisationId: string;
  taskId: string;
  generation: number;
  status: string;
  desiredStatus: string;
  emergencyValidation: { status: string } | null;
  bundle: { canonicalRequest: Buffer; approvals: { approverUri: string }[] } | null;
  details: { issuingAgencyId: string; requesterUri: string; requestDetails: { selectors: unknown[] } };
}
interface GrpcError extends Error {
  code: number;
  details: string;
}

const CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, PERMISSION_DENIED: 7, FAILED_PRECONDITION: 9, ABORTED: 10 };
const clock = new ManualClock(new Date());
let stack: TestStack;
const seen: Record<string, StreamTasksResponse[]> = { 'telco-a.main': [], 'bank-b.main': [] };
const streams: TaskStream[] = [];

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki(), { clock });
  for (const adapter of Object.keys(seen)) {
    const stream = new TaskStream(
      { address: `localhost:${stack.ports.providerEdge}`, credentials: channelAs(stack.pki, adapter) },
      { onEvent: (event) => void seen[adapter]!.push(event) },
    );
    streams.push(stream.start());
  }
}, 120_000);

afterAll(async () => {
  streams.forEach((stream) => stream.close());
  await stack?.close();
});

function tasksOf(adapter: string, authorisationId: string): Task[] {
  return seen[adapter]!.flatMap((e) => (e.task && e.task.authorisationId === authorisationId ? [e.task] : []));
}

function uriOf(file: string): string {
  const [agency, id] = file.split('.') as [string, string];
  return `evx://authority/${agency}/${id.startsWith('inv') ? 'investigator' : 'approver'}/${id}`;
}

function keyOf(file: string): ActorKey {
  const pair = keyPairOf(stack.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
}

function timestamp(date: Date): { seconds: number; nanos: number } {
  return { seconds: Math.floor(date.getTime() / 1000), nanos: (date.getTime() % 1000) * 1e6 };
}

async function call<T = { authorisation: WireAuthorisation }>(
  as: string,
  method: string,
  request: unknown,
): Promise<T> {
  return callUnary<T>('authority', `localhost:${stack.ports.authorityGrpc}`, method, request, channelAs(stack.pki, as));
}

async function refused(promise: Promise<unknown>): Promise<GrpcError> {
  try {
    await promise;
  } catch (error) {
    return error as GrpcError;
  }
  throw new Error('expected the call to be refused');
}

function standardDetails(): Record<string, unknown> {
  return {
    caseReference: `HN-${randomUUID().slice(0, 8)}`,
    legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: Buffer.alloc(32, 7) },
    typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
    urgency: 'URGENCY_STANDARD',
    targetProviderId: 'telco-a',
    requestDetails: {
      requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA'],
      selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
    },
    confidential: true,
  };
}

function emergencyDetails(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = clock.now();
  return {
    ...standardDetails(),
    urgency: 'URGENCY_EMERGENCY',
    emergency: {
      threat: 'EMERGENCY_THREAT_LIFE',
      justification: 'Kidnapped child; the kidnapper phoned from this number an hour ago.',
    },
    requestDetails: {
      requestTypes: ['REQUEST_TYPE_LOCATION_DATA'],
      selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
      timeRange: { startTime: timestamp(new Date(now.getTime() - 2 * 86_400_000)), endTime: timestamp(now) },
    },
    ...overrides,
  };
}

async function create(
  details = standardDetails(),
  as = 'police-hn.inv-1',
  key = randomUUID(),
): Promise<WireAuthorisation> {
  return (await call(as, 'createRequest', { idempotencyKey: key, details })).authorisation;
}

async function submit(order: WireAuthorisation, as = 'police-hn.inv-1', signer = as): Promise<WireAuthorisation> {
  const value = await signRequestValue(order.bundle!.canonicalRequest, keyOf(signer));
  return (
    await call(as, 'submitRequest', {
      authorisationId: order.authorisationId,
      expectedGeneration: order.generation,
      requesterSignature: { value },
    })
  ).authorisation;
}

interface Decision {
  role: ApproverRole;
  kind?: ApprovalKind;
  method?: string;
  decision?: 'APPROVED' | 'REJECTED';
  reason?: string;
  signer?: string;
  generation?: number;
}

async function decide(order: WireAuthorisation, as: string, d: Decision): Promise<WireAuthorisation> {
  const decidedAt = clock.now();
  const reason = d.reason ?? 'proportionate and necessary';
  const kind =
    d.kind ??
    (order.details && (order as unknown as { details: { urgency: string } }).details.urgency === 'URGENCY_EMERGENCY'
      ? 'EMERGENCY'
      : 'STANDARD');
  const decision = d.decision ?? (d.method === 'rejectRequest' ? 'REJECTED' : 'APPROVED');
  const value = await signApprovalValue(
    order.bundle!.canonicalRequest,
    { approverUri: uriOf(d.signer ?? as), role: d.role, kind, decision, reason, decidedAt },
    keyOf(d.signer ?? as),
  );
  const request = {
    authorisationId: order.authorisationId,
    expectedGeneration: d.generation ?? order.generation,
    role: `APPROVER_ROLE_${d.role}`,
    reason,
    decidedAt: timestamp(decidedAt),
    signature: { value },
    ...(d.method === 'validateRequest' ? { decision: `APPROVAL_DECISION_${decision}` } : {}),
  };
  return (await call(as, d.method ?? 'approveRequest', request)).authorisation;
}

async function auditActions(id: string): Promise<string[]> {
  const vault = `localhost:${stack.ports.vault}`;
  const creds = channelAs(stack.pki, 'services/authority-api');
  const cp = await callUnary<{ treeSize: string }>('vault', vault, 'getCheckpoint', {}, creds);
  const r = await callUnary<{ entries: { auditEvent: { action: string; objects: { objectId: string }[] } | null }[] }>(
    'vault',
    vault,
    'getLogEntries',
    { startIndex: '0', endIndex: cp.treeSize },
    creds,
  );
  return r.entries.filter((e) => e.auditEvent?.objects.some((o) => o.objectId === id)).map((e) => e.auditEvent!.action);
}

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('request workflow (gRPC)', () => {
  it('standard flow: create, submit signed, supervisor then judge approve', async () => {
    const draft = await create();
    expect(draft.status).toBe('REQUEST_STATUS_DRAFT');
    expect(draft.details.requesterUri).toBe(uriOf('police-hn.inv-1'));
    const submitted = await submit(draft);
    expect(submitted.status).toBe('REQUEST_STATUS_AWAITING_APPROVAL');
    const supervised = await decide(submitted, 'police-hn.sup-1', { role: 'SUPERVISOR' });
    expect(supervised.status).toBe('REQUEST_STATUS_AWAITING_APPROVAL');
    const approved = await decide(supervised, 'police-hn.judge-1', { role: 'JUDGE' });
    expect(approved.status).toBe('REQUEST_STATUS_DISPATCHED');
    expect(approved.bundle!.approvals.map((a) => a.approverUri)).toEqual([
      uriOf('police-hn.sup-1'),
      uriOf('police-hn.judge-1'),
    ]);
    await eventually(async () => tasksOf('telco-a.main', draft.authorisationId).length > 0);
    const [task] = tasksOf('telco-a.main', draft.authorisationId);
    expect(task!.providerId).toBe('telco-a');
    expect(task!.taskId).toBe(approved.taskId);
    expect(Buffer.from(task!.bundle!.canonicalRequest).equals(approved.bundle!.canonicalRequest)).toBe(true);
    expect(task!.bundle!.approvals).toHaveLength(2);
    // The adapter verifies the order itself, from the bundle and the authority trust anchor alone.
    const verified = verifyAuthorisation(
      bundleFromWire(task!.bundle!),
      TrustStore.fromDirectory(stack.pki),
      {},
      new Date(),
    );
    expect(verified.approvals.map((a) => a.signer.uri)).toEqual([uriOf('police-hn.sup-1'), uriOf('police-hn.judge-1')]);
    expect(tasksOf('bank-b.main', draft.authorisationId)).toEqual([]);
    await eventually(async () => (await auditActions(draft.authorisationId)).length >= 5);
    expect(await auditActions(draft.authorisationId)).toEqual([
      'AUDIT_ACTION_REQUEST_CREATED',
      'AUDIT_ACTION_REQUEST_SUBMITTED',
      'AUDIT_ACTION_REQUEST_APPROVED',
      'AUDIT_ACTION_REQUEST_APPROVED',
      'AUDIT_ACTION_TASK_DISPATCHED',
    ]);
  });

  it('watch: status changes of the caller’s agency, after a heartbeat that says caught up', async () => {
    const watch = (as: string) => {
      const client = createServiceClient(
        'authority',
        `localhost:${stack.ports.authorityGrpc}`,
        channelAs(stack.pki, as),
      );
      const events: { cursor: string; change: { authorisationId: string; newStatus: string } | null }[] = [];
      const call = (
        client as unknown as { watchRequests(r: unknown): NodeJS.EventEmitter & { cancel(): void } }
      ).watchRequests({ cursor: '' });
      call.on('data', (event: (typeof events)[number]) => events.push(event));
      call.on('error', () => undefined);
      return { events, close: () => (call.cancel(), client.close()) };
    };
    const own = watch('police-hn.sup-1');
    const other = watch('police-dn.inv-1');
    try {
      await eventually(async () => own.events.length > 0 && other.events.length > 0);
      const order = await submit(await create());
      const changesOf = (events: typeof own.events) =>
        events.filter((e) => e.change?.authorisationId === order.authorisationId).map((e) => e.change!.newStatus);
      await eventually(async () => changesOf(own.events).length === 2);
      expect(changesOf(own.events)).toEqual(['REQUEST_STATUS_DRAFT', 'REQUEST_STATUS_AWAITING_APPROVAL']);
      expect(changesOf(other.events)).toEqual([]);
    } finally {
      own.close();
      other.close();
    }
  });

  it('idempotent create: the same key twice gives one order', async () => {
    const key = randomUUID();
    const details = standardDetails();
    const first = await create(details, 'police-hn.inv-1', key);
    const again = await create(details, 'police-hn.inv-1', key);
    expect(again.authorisationId).toBe(first.authorisationId);
    const conflict = await refused(create({ ...details, caseReference: 'HN-other' }, 'police-hn.inv-1', key));
    expect(conflict.code).toBe(6);
  });

  it('visibility: police-dn cannot see police-hn orders; auditors see metadata only', async () => {
    const order = await create();
    expect(
      (await refused(call('police-dn.inv-1', 'getRequest', { authorisationId: order.authorisationId }))).code,
    ).toBe(CODE.NOT_FOUND);
    const seen = (await call('dpa.aud-1', 'getRequest', { authorisationId: order.authorisationId })).authorisation;
    expect(seen.details.requestDetails.selectors).toEqual([]);
    expect(seen.bundle).toBeNull();
  });

  it('refuses self-submission by another investigator, tampered request signature, stale generation', async () => {
    const order = await create();
    expect((await refused(submit(order, 'police-hn.inv-2'))).code).toBe(CODE.PERMISSION_DENIED);
    const tampered = await refused(submit(order, 'police-hn.inv-1', 'police-hn.inv-2'));
    expect(tampered.code).toBe(CODE.INVALID_ARGUMENT);
    expect(tampered.details).toMatch(/signature does not verify/);
    const submitted = await submit(order);
    const stale = await refused(
      decide(submitted, 'police-hn.sup-1', { role: 'SUPERVISOR', generation: order.generation }),
    );
    expect(stale.code).toBe(CODE.ABORTED);
  });

  it('refuses a wrong role, approval across agencies, double approval and a tampered approval signature', async () => {
    const order = await submit(await create());
    expect(
      (await refused(call('police-hn.inv-2', 'approveRequest', { authorisationId: order.authorisationId }))).code,
    ).toBe(CODE.PERMISSION_DENIED);
    expect((await refused(decide(order, 'police-dn.sup-1', { role: 'SUPERVISOR' }))).code).toBe(CODE.NOT_FOUND);
    const forged = await refused(decide(order, 'police-hn.sup-1', { role: 'SUPERVISOR', signer: 'police-hn.judge-1' }));
    expect(forged.code).toBe(CODE.INVALID_ARGUMENT);
    const supervised = await decide(order, 'police-hn.sup-1', { role: 'SUPERVISOR' });
    // The judge step, but by the supervisor again: refused whatever role it claims.
    const twice = await refused(decide(supervised, 'police-hn.sup-1', { role: 'SUPERVISOR' }));
    expect([CODE.FAILED_PRECONDITION, CODE.PERMISSION_DENIED]).toContain(twice.code);
  });

  it('reject needs a reason and is final; withdraw of a draft is immediate', async () => {
    const order = await submit(await create());
    const noReason = await refused(
      decide(order, 'police-hn.sup-1', { role: 'SUPERVISOR', method: 'rejectRequest', reason: '' }),
    );
    expect(noReason.code).toBe(CODE.INVALID_ARGUMENT);
    const rejected = await decide(order, 'police-hn.sup-1', {
      role: 'SUPERVISOR',
      method: 'rejectRequest',
      reason: 'legal basis does not cover this',
    });
    expect(rejected.status).toBe('REQUEST_STATUS_REJECTED');
    const draft = await create();
    const withdrawn = (
      await call('police-hn.inv-2', 'withdrawRequest', {
        authorisationId: draft.authorisationId,
        expectedGeneration: 1,
        reason: 'case closed',
      })
    ).authorisation;
    expect(withdrawn.status).toBe('REQUEST_STATUS_WITHDRAWN');
  });

  it('refuses a missing justification and a disallowed emergency type or look-back', async () => {
    const noJustification = await create(
      emergencyDetails({ emergency: { threat: 'EMERGENCY_THREAT_LIFE', justification: '' } }),
    );
    expect((await refused(submit(noJustification))).code).toBe(CODE.FAILED_PRECONDITION);
    const content = await create(
      emergencyDetails({
        requestDetails: {
          ...(emergencyDetails().requestDetails as object),
          requestTypes: ['REQUEST_TYPE_STORED_CONTENT_DATA'],
        },
      }),
    );
    expect((await refused(submit(content))).details).toMatch(/STORED_CONTENT_DATA/);
    const now = clock.now().getTime();
    const old = await create(
      emergencyDetails({
        requestDetails: {
          requestTypes: ['REQUEST_TYPE_LOCATION_DATA'],
          selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
          timeRange: { startTime: timestamp(new Date(now - 30 * 86_400_000)), endTime: timestamp(new Date(now)) },
        },
      }),
    );
    expect((await refused(submit(old))).code).toBe(CODE.FAILED_PRECONDITION);
  });

  it('emergency: duty approval is provisional; a lapsed validation seals the evidence and is audited', async () => {
    const order = await submit(await create(emergencyDetails()));
    const provisional = await decide(order, 'police-hn.duty-1', { role: 'DUTY_OFFICER' });
    // Provisional approval dispatches at once.
    expect(provisional.status).toBe('REQUEST_STATUS_DISPATCHED');
    expect(provisional.emergencyValidation?.status).toBe('EMERGENCY_VALIDATION_STATUS_PENDING');
    await eventually(async () => tasksOf('telco-a.main', order.authorisationId).length > 0);
    clock.advance({ hours: 48 });
    const moved = await stack.authorityApi.app!.get(RequestSchedulerService).tick();
    expect(moved).toContain(order.authorisationId);
    const after = (await call('police-hn.inv-1', 'getRequest', { authorisationId: order.authorisationId }))
      .authorisation;
    expect(after.status).toBe('REQUEST_STATUS_VALIDATION_OVERDUE');
    await eventually(async () => (await auditActions(order.authorisationId)).includes('AUDIT_ACTION_EVIDENCE_SEALED'));
    expect(await auditActions(order.authorisationId)).toContain('AUDIT_ACTION_EMERGENCY_VALIDATION_OVERDUE');
    // The provider is told: a new task generation, desired status CANCELLED, restrict the data.
    await eventually(async () =>
      tasksOf('telco-a.main', order.authorisationId).some((t) => t.desiredStatus === 'TASK_DESIRED_STATUS_CANCELLED'),
    );
    const cancelled = tasksOf('telco-a.main', order.authorisationId).find(
      (t) => t.desiredStatus === 'TASK_DESIRED_STATUS_CANCELLED',
    );
    expect(cancelled!.statusReason).toMatch(/restrict/);
    const download = await refused(
      new Promise((resolve, reject) => {
        const client = createServiceClient(
          'authority',
          `localhost:${stack.ports.authorityGrpc}`,
          channelAs(stack.pki, 'police-hn.inv-1'),
        );
        const call = (client as unknown as { downloadPackage(r: unknown): NodeJS.EventEmitter }).downloadPackage({
          authorisationId: order.authorisationId,
          offset: '0',
        });
        call.on('error', (error) => {
          client.close();
          reject(error);
        });
        call.on('end', () => resolve(undefined));
        call.on('data', () => undefined);
      }),
    );
    expect(download.code).toBe(CODE.FAILED_PRECONDITION);
    expect(download.details).toMatch(/sealed/);
  });

  it('emergency: a judge refusing validation seals the evidence', async () => {
    const order = await submit(await create(emergencyDetails()));
    const provisional = await decide(order, 'police-hn.duty-1', { role: 'DUTY_OFFICER' });
    const rejected = await decide(provisional, 'police-hn.judge-1', {
      role: 'JUDGE',
      kind: 'JUDICIAL_VALIDATION',
      method: 'validateRequest',
      decision: 'REJECTED',
      reason: 'no imminent threat was shown',
    });
    expect(rejected.status).toBe('REQUEST_STATUS_VALIDATION_REJECTED');
    // Sealed twice over: authority-api's record of the decision, and the vault's own seal of the packages.
    const sealEvents = async () =>
      (await auditActions(order.authorisationId)).filter((a) => a === 'AUDIT_ACTION_EVIDENCE_SEALED').length;
    await eventually(async () => (await sealEvents()) === 2);
  });
});
