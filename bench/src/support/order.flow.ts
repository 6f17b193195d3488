// The authority side of a benchmark: orders created, submitted and approved over gRPC by dev-PKI actors, each signing
// with their own key, as `evx request ...` does.
import { randomUUID } from 'node:crypto';
import { signApprovalValue, signRequestValue, type ActorKey } from '#evx/authorisation';
import type { BenchContext } from '../bench.context.js';
import { UnaryClient, mtlsAs, pemPairOf } from './grpc.util.js';

export interface WireOrder {
  authorisationId: string;
  taskId: string;
  generation: number;
  status: string;
  bundle: { canonicalRequest: Buffer } | null;
}

type Role = 'SUPERVISOR' | 'PROSECUTOR' | 'JUDGE' | 'DUTY_OFFICER';

function timestamp(date: Date): { seconds: number; nanos: number } {
  return { seconds: Math.floor(date.getTime() / 1000), nanos: (date.getTime() % 1000) * 1e6 };
}

/** A standard order to telco-a for the last week's traffic data (supervisor, then judge, by the default policy). */
export function standardOrder(requestType = 'REQUEST_TYPE_TRAFFIC_DATA'): Record<string, unknown> {
  const now = Date.now();
  return {
    caseReference: `BENCH-${randomUUID().slice(0, 8)}`,
    legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: Buffer.alloc(32, 7) },
    typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
    urgency: 'URGENCY_STANDARD',
    targetProviderId: 'telco-a',
    requestDetails: {
      requestTypes: [requestType],
      selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
      timeRange: { startTime: timestamp(new Date(now - 7 * 86_400_000)), endTime: timestamp(new Date(now)) },
    },
    confidential: true,
  };
}

/** An emergency order to telco-a for the last day's location data (one duty officer approves provisionally). */
export function emergencyOrder(): Record<string, unknown> {
  const now = Date.now();
  return {
    ...standardOrder(),
    urgency: 'URGENCY_EMERGENCY',
    emergency: {
      threat: 'EMERGENCY_THREAT_LIFE',
      justification: 'Kidnapped child; the kidnapper phoned from this number an hour ago.',
    },
    requestDetails: {
      requestTypes: ['REQUEST_TYPE_LOCATION_DATA'],
      selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
      timeRange: { startTime: timestamp(new Date(now - 86_400_000)), endTime: timestamp(new Date(now)) },
    },
  };
}

/** One client per actor (`police-hn.inv-1`, ...), created on first use. */
export class AuthorityActors {
  private readonly clients = new Map<string, UnaryClient>();
  private readonly keys = new Map<string, ActorKey>();

  constructor(
    private readonly context: BenchContext,
    private readonly address: string,
  ) {}

  client(actor: string): UnaryClient {
    let client = this.clients.get(actor);
    if (!client) {
      client = new UnaryClient('authority', this.address, mtlsAs(this.context.pki, actor));
      this.clients.set(actor, client);
    }
    return client;
  }

  key(actor: string): ActorKey {
    let key = this.keys.get(actor);
    if (!key) {
      const pair = pemPairOf(this.context.pki, actor);
      key = { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
      this.keys.set(actor, key);
    }
    return key;
  }

  async create(details: Record<string, unknown>, actor = 'police-hn.inv-1'): Promise<WireOrder> {
    const r = await this.client(actor).call<{ authorisation: WireOrder }>('createRequest', {
      idempotencyKey: randomUUID(),
      details,
    });
    return r.authorisation;
  }

  async submit(order: WireOrder, actor = 'police-hn.inv-1'): Promise<WireOrder> {
    const value = await signRequestValue(canonical(order), this.key(actor));
    const r = await this.client(actor).call<{ authorisation: WireOrder }>('submitRequest', {
      authorisationId: order.authorisationId,
      expectedGeneration: order.generation,
      requesterSignature: { value },
    });
    return r.authorisation;
  }

  async get(authorisationId: string, actor = 'police-hn.inv-1'): Promise<WireOrder> {
    const r = await this.client(actor).call<{ authorisation: WireOrder }>('getRequest', { authorisationId });
    return r.authorisation;
  }

  /** `actor` is a dev-PKI approver file such as `police-hn.sup-1`. */
  async decide(
    order: WireOrder,
    actor: string,
    role: Role,
    kind: 'STANDARD' | 'EMERGENCY' | 'JUDICIAL_VALIDATION',
    method: 'approveRequest' | 'validateRequest' = 'approveRequest',
  ): Promise<WireOrder> {
    const [agency, id] = actor.split('.') as [string, string];
    const decidedAt = new Date();
    const reason = 'necessary and proportionate (benchmark)';
    const value = await signApprovalValue(
      canonical(order),
      { approverUri: `evx://authority/${agency}/approver/${id}`, role, kind, decision: 'APPROVED', reason, decidedAt },
      this.key(actor),
    );
    const r = await this.client(actor).call<{ authorisation: WireOrder }>(method, {
      authorisationId: order.authorisationId,
      expectedGeneration: order.generation,
      role: `APPROVER_ROLE_${role}`,
      reason,
      decidedAt: timestamp(decidedAt),
      signature: { value },
      ...(method === 'validateRequest' ? { decision: 'APPROVAL_DECISION_APPROVED' } : {}),
    });
    return r.authorisation;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }
}

function canonical(order: WireOrder): Buffer {
  if (!order.bundle) throw new Error(`order ${order.authorisationId} has no bundle`);
  return order.bundle.canonicalRequest;
}
