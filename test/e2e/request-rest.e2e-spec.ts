// The request workflow over REST (HTTPS with client certificates): validated DTOs, the same use cases as gRPC,
// the HTTP codes of the one error mapping, and the operations in the OpenAPI document.
import { request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import { signApprovalValue, signRequestValue } from '#evx/authorisation';
import { createServiceClient } from '#evx/proto';
import { httpsGet } from '../support/https-client.js';
import { sharedTestPki } from '../support/test-pki.js';
import { channelAs, keyPairOf, serverCa, startTestStack, type TestStack } from '../support/test-stack.js';

interface View {
  authorisationId: string;
  generation: number;
  status: string;
  canonicalRequest?: string;
  approvals?: unknown[];
}

let stack: TestStack;
let rest: string;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  rest = `https://localhost:${stack.ports.authorityHttps}`;
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

function post(path: string, body: unknown, as: string): Promise<{ status: number; body: unknown }> {
  const pair = keyPairOf(stack.pki, as);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${rest}${path}`,
      {
        method: 'POST',
        ca: serverCa(stack.pki),
        cert: pair.certPem,
        key: pair.keyPem,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const get = (path: string, as: string) => httpsGet(`${rest}${path}`, serverCa(stack.pki), keyPairOf(stack.pki, as));

function key(file: string) {
  const pair = keyPairOf(stack.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
}

function details(): Record<string, unknown> {
  return {
    caseReference: `HN-${randomUUID().slice(0, 8)}`,
    legalBasis: { law: 'Code of Criminal Procedure', article: '126na(1)', orderDocumentSha256: 'ab'.repeat(32) },
    typeOfCase: 'CYBERCRIME',
    urgency: 'STANDARD',
    targetProviderId: 'telco-a',
    requestDetails: {
      requestTypes: ['SUBSCRIBER_DATA'],
      selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
    },
    confidential: true,
    preservationOnly: false,
  };
}

async function approve(order: View, as: string, role: string, approverUri: string, generation = order.generation) {
  const decidedAt = new Date();
  const request = Buffer.from(order.canonicalRequest!, 'base64');
  const value = await signApprovalValue(
    request,
    { approverUri, role: role as 'SUPERVISOR', kind: 'STANDARD', decision: 'APPROVED', reason: '', decidedAt },
    key(as),
  );
  return post(
    `/v1/requests/${order.authorisationId}/approve`,
    {
      expectedGeneration: generation,
      role,
      decidedAt: decidedAt.toISOString(),
      signature: Buffer.from(value).toString('base64'),
    },
    as,
  );
}

describe('request workflow (REST)', () => {
  it('create, submit, approve twice; stale generation is 412, a wrong role 403, another agency 404', async () => {
    const created = await post('/v1/requests', { idempotencyKey: randomUUID(), details: details() }, 'police-hn.inv-1');
    expect(created.status).toBe(201);
    const draft = created.body as View;
    const signature = await signRequestValue(Buffer.from(draft.canonicalRequest!, 'base64'), key('police-hn.inv-1'));
    const submitted = await post(
      `/v1/requests/${draft.authorisationId}/submit`,
      { expectedGeneration: draft.generation, signature: Buffer.from(signature).toString('base64') },
      'police-hn.inv-1',
    );
    expect(submitted.status).toBe(200);
    const order = submitted.body as View;
    expect(order.status).toBe('AWAITING_APPROVAL');

    expect(
      (
        await post(
          `/v1/requests/${order.authorisationId}/approve`,
          { expectedGeneration: 2, role: 'SUPERVISOR', decidedAt: new Date().toISOString(), signature: 'AAAA' },
          'police-hn.inv-2',
        )
      ).status,
    ).toBe(403);
    expect((await get(`/v1/requests/${order.authorisationId}`, 'police-dn.inv-1')).status).toBe(404);
    expect(
      (await approve(order, 'police-hn.sup-1', 'SUPERVISOR', 'evx://authority/police-hn/approver/sup-1', 1)).status,
    ).toBe(412);

    const supervised = await approve(
      order,
      'police-hn.sup-1',
      'SUPERVISOR',
      'evx://authority/police-hn/approver/sup-1',
    );
    expect(supervised.status).toBe(200);
    const judged = await approve(
      supervised.body as View,
      'police-hn.pros-1',
      'PROSECUTOR',
      'evx://authority/police-hn/approver/pros-1',
    );
    expect(judged.status).toBe(200);
    expect((judged.body as View).status).toBe('DISPATCHED');
    const seen = (await get(`/v1/requests/${order.authorisationId}`, 'police-hn.sup-1')).body as View;
    expect(seen.approvals).toHaveLength(2);
  });

  it('refuses a malformed body with 400 and names the field', async () => {
    const res = await post(
      '/v1/requests',
      { idempotencyKey: 'short', details: { ...details(), urgency: 'SOON' } },
      'police-hn.inv-1',
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/idempotencyKey/);
    expect(JSON.stringify(res.body)).toMatch(/urgency/);
  });

  it('download refuses honestly: no package yet (404 / gRPC NOT_FOUND)', async () => {
    const created = (
      await post('/v1/requests', { idempotencyKey: randomUUID(), details: details() }, 'police-hn.inv-1')
    ).body as View;
    expect((await get(`/v1/requests/${created.authorisationId}/package`, 'police-hn.inv-1')).status).toBe(404);
    const stream = await new Promise<{ code: number }>((resolve) => {
      const c = createServiceClient(
        'authority',
        `localhost:${stack.ports.authorityGrpc}`,
        channelAs(stack.pki, 'police-hn.inv-1'),
      );
      const call = (c as unknown as { downloadPackage(r: unknown): NodeJS.EventEmitter }).downloadPackage({
        authorisationId: created.authorisationId,
        offset: '0',
      });
      call.on('error', (error: { code: number }) => {
        c.close();
        resolve(error);
      });
      call.on('data', () => undefined);
    });
    expect(stream.code).toBe(5);
  });

  it('documents the request operations in OpenAPI', async () => {
    const res = await httpsGet(`${rest}/docs/openapi.json`, serverCa(stack.pki));
    const paths = Object.keys((res.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/requests',
        '/v1/requests/{id}/submit',
        '/v1/requests/{id}/approve',
        '/v1/requests/{id}/validate',
      ]),
    );
  });
});
