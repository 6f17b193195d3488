import { status, type ServiceError } from '@grpc/grpc-js';
import { checkGrpcHealth } from '#evx/transport';
import { httpsGet } from '../support/https-client.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, serverCa, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let authorityGrpc: string;
let edge: string;
let vault: string;
let rest: string;

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  authorityGrpc = `localhost:${stack.ports.authorityGrpc}`;
  edge = `localhost:${stack.ports.providerEdge}`;
  vault = `localhost:${stack.ports.vault}`;
  rest = `https://localhost:${stack.ports.authorityHttps}`;
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to be refused');
}

const listRequests = (as?: string) =>
  callUnary('authority', authorityGrpc, 'listRequests', { pageSize: 10 }, channelAs(stack.pki, as));

describe('health', () => {
  it('every gRPC server answers the standard health check as SERVING', async () => {
    const internal = channelAs(stack.pki, 'services/authority-api');
    expect(await checkGrpcHealth(vault, internal, 'evx.v1.VaultService')).toBe('SERVING');
    expect(await checkGrpcHealth(edge, channelAs(stack.pki, 'telco-a.main'), 'evx.v1.ProviderExchangeService')).toBe(
      'SERVING',
    );
    expect(
      await checkGrpcHealth(authorityGrpc, channelAs(stack.pki, 'police-hn.inv-1'), 'evx.v1.AuthorityService'),
    ).toBe('SERVING');
    expect(await checkGrpcHealth(authorityGrpc, channelAs(stack.pki, 'police-hn.inv-1'), '')).toBe('SERVING');
  });

  it('serves the OpenAPI description of the REST API at /docs/openapi.json', async () => {
    const res = await httpsGet(`${rest}/docs/openapi.json`, serverCa(stack.pki));
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/requests', '/v1/audit/checkpoint', '/health']));
  });

  it('GET /health reports the database and the vault reached over internal mTLS', async () => {
    const res = await httpsGet(`${rest}/health`, serverCa(stack.pki));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', service: 'authority-api', checks: { database: 'ok', vault: 'SERVING' } });
  });
});

describe('authority-api over gRPC', () => {
  it('serves an investigator and an auditor', async () => {
    await expect(listRequests('police-hn.inv-1')).resolves.toEqual({ authorisations: [], nextPageToken: '' });
    await expect(listRequests('dpa.aud-1')).resolves.toEqual({ authorisations: [], nextPageToken: '' });
  });

  it('refuses a connection without a client certificate at the handshake', async () => {
    expect((await grpcError(listRequests(undefined))).code).toBe(status.UNAVAILABLE);
  });

  it('refuses a certificate from another trust domain at the handshake', async () => {
    expect((await grpcError(listRequests('telco-a.main'))).code).toBe(status.UNAVAILABLE);
  });

  it('refuses an expired certificate at the handshake', async () => {
    expect((await grpcError(listRequests('police-hn.expired'))).code).toBe(status.UNAVAILABLE);
  });

  it('refuses a revoked certificate with UNAUTHENTICATED and says so (grpc-js takes no CRL: the guard does)', async () => {
    const error = await grpcError(listRequests('police-hn.revoked'));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/revoked/);
    expect(error.metadata.get('evx-error-code')).toEqual(['CERT_REVOKED']);
  });

  it('maps a known error to its status, never UNKNOWN', async () => {
    const error = await grpcError(
      callUnary(
        'authority',
        authorityGrpc,
        'getRequest',
        { authorisationId: 'no-such-id' },
        channelAs(stack.pki, 'police-hn.inv-1'),
      ),
    );
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toContain('no-such-id');
  });

  it('refuses to show another agency to an investigator with PERMISSION_DENIED', async () => {
    const error = await grpcError(
      callUnary(
        'authority',
        authorityGrpc,
        'listRequests',
        { issuingAgencyId: 'police-dn' },
        channelAs(stack.pki, 'police-hn.inv-1'),
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('police-hn');
  });

  it('answers an RPC it does not serve with UNIMPLEMENTED, never UNKNOWN', async () => {
    // The vault's service asked of authority-api, which does not serve it.
    const error = await grpcError(
      callUnary('vault', authorityGrpc, 'getCheckpoint', {}, channelAs(stack.pki, 'police-hn.inv-1')),
    );
    expect(error.code).toBe(status.UNIMPLEMENTED);
  });
});

describe('authority-api over REST (HTTPS with client certificates)', () => {
  const get = (path: string, as?: string) =>
    httpsGet(`${rest}${path}`, serverCa(stack.pki), as ? keyPairOf(stack.pki, as) : undefined);

  it('serves an investigator', async () => {
    const res = await get('/v1/requests', 'police-hn.inv-1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ requests: [], nextPageToken: '' });
  });

  it('answers 401 without a client certificate', async () => {
    const res = await get('/v1/requests');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'NO_CLIENT_CERTIFICATE' });
  });

  it('answers 403 to a certificate from another trust domain, naming the domain', async () => {
    const res = await get('/v1/requests', 'telco-a.main');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'WRONG_TRUST_DOMAIN' });
    expect(JSON.stringify(res.body)).toContain('provider trust domain');
  });

  it('answers 401 to an expired certificate', async () => {
    const res = await get('/v1/requests', 'police-hn.expired');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'CERT_EXPIRED' });
  });

  it('answers 401 to a revoked certificate', async () => {
    const res = await get('/v1/requests', 'police-hn.revoked');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'CERT_REVOKED' });
  });

  it('answers 403 to the wrong role and 404 for what the caller may not see', async () => {
    expect((await get('/v1/requests?agency=police-dn', 'police-hn.sup-1')).status).toBe(403);
    expect((await get('/v1/requests/unknown', 'dpa.aud-1')).status).toBe(404);
  });

  it('answers 400 to a forged page token', async () => {
    const res = await get('/v1/requests?pageToken=bm9wZQ', 'police-hn.inv-1');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('page token');
  });
});

describe('provider-edge', () => {
  it('opens a task stream for an adapter, which reports that it has caught up', async () => {
    const { TaskStream } = await import('#evx/adapter-sdk');
    const events: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = new TaskStream(
        { address: edge, credentials: channelAs(stack.pki, 'telco-a.main') },
        {
          onEvent: (e) => void events.push(e),
          onCaughtUp: () => {
            stream.close();
            resolve();
          },
          onDisconnect: (error) => reject(error),
        },
      ).start();
    });
    expect(events[0]).toMatchObject({ cursor: '', heartbeat: { serverTime: expect.any(Object) } });
  });

  it('refuses an authority certificate at the handshake', async () => {
    const error = await grpcError(checkGrpcHealth(edge, channelAs(stack.pki, 'police-hn.inv-1')));
    expect(error.code).toBe(status.UNAVAILABLE);
  });

  it('refuses a revoked adapter with UNAUTHENTICATED', async () => {
    const { TaskStream } = await import('#evx/adapter-sdk');
    const error = await new Promise<ServiceError>((resolve) => {
      const stream = new TaskStream(
        { address: edge, credentials: channelAs(stack.pki, 'telco-a.revoked') },
        {
          onEvent: () => undefined,
          onDisconnect: (e) => {
            stream.close();
            resolve(e);
          },
        },
      ).start();
    });
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/revoked/);
  });
});

describe('vault (internal only)', () => {
  it('serves EVX services', async () => {
    const res = await callUnary(
      'vault',
      vault,
      'getLogEntries',
      { startIndex: '0', endIndex: '0' },
      channelAs(stack.pki, 'services/authority-api'),
    );
    expect(res).toEqual({ entries: [] });
  });

  it('maps a domain error to OUT_OF_RANGE with a message', async () => {
    const error = await grpcError(
      callUnary(
        'vault',
        vault,
        'getLogEntries',
        { startIndex: '0', endIndex: '5' },
        channelAs(stack.pki, 'services/provider-edge'),
      ),
    );
    expect(error.code).toBe(status.OUT_OF_RANGE);
    expect(error.details).toContain('beyond the log size 0');
  });

  it('refuses authority and provider certificates at the handshake', async () => {
    for (const who of ['police-hn.inv-1', 'telco-a.main', 'dpa.aud-1']) {
      const error = await grpcError(
        callUnary('vault', vault, 'getLogEntries', { startIndex: '0', endIndex: '0' }, channelAs(stack.pki, who)),
      );
      expect(error.code).toBe(status.UNAVAILABLE);
    }
  });
});
