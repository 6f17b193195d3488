// The peer certificate of a gRPC call over real mutual TLS: the same DER grpc-js's getAuthContext() gives, read from
// the connection once however many calls it carries, and each connection's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  Client,
  Server,
  ServerCredentials,
  credentials,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { TrustStore } from '#evx/pki';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { connectionPeerCertificate, http2SessionOf, peerCertificateOf } from './grpc-call.util.js';
import { grpcServerCredentials, loadServiceKeyPair } from './tls.credentials.js';

const METHOD = '/evx.test.Peer/Who';
const bytes = (b: Buffer) => b;

interface Seen {
  fast?: Buffer;
  slow?: Buffer;
  viaSession: boolean;
}

let pki: string;
let trust: TrustStore;
let server: Server;
let port: number;
/** TLS without client certificates, and no TLS at all: what the negative branches see. */
let lenient: { server: Server; port: number };
let plain: { server: Server; port: number };
const seen: Seen[] = [];
const clients: Client[] = [];

const actorDer = (file: string) => new X509Certificate(readFileSync(join(pki, 'actors', `${file}.crt`))).raw;

function clientAs(file: string): Client {
  const client = new Client(
    `localhost:${port}`,
    credentials.createSsl(
      Buffer.from(trust.rootsPem(['service'])),
      readFileSync(join(pki, 'actors', `${file}.key`)),
      readFileSync(join(pki, 'actors', `${file}.crt`)),
    ),
  );
  clients.push(client);
  return client;
}

function call(client: Client): Promise<void> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(METHOD, bytes, bytes, Buffer.from('?'), (error) => (error ? reject(error) : resolve())),
  );
}

function recordingServer(): Server {
  const recording = new Server();
  recording.register(
    METHOD,
    (unary: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => {
      const slow = (
        unary as unknown as { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } }
      ).getAuthContext().sslPeerCertificate?.raw;
      seen.push({ fast: connectionPeerCertificate(unary), slow, viaSession: http2SessionOf(unary) !== undefined });
      done(null, Buffer.from('!'));
    },
    bytes,
    bytes,
    'unary',
  );
  return recording;
}

function bound(on: Server, creds: ServerCredentials): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    on.bindAsync('127.0.0.1:0', creds, (error, at) => (error ? reject(error) : resolve(at))),
  );
}

beforeAll(async () => {
  pki = await sharedTestPki();
  trust = TrustStore.fromDirectory(pki);
  const own = loadServiceKeyPair(pki, 'authority-api');
  server = recordingServer();
  port = await bound(server, grpcServerCredentials(trust, ['authority', 'provider'], own));
  const noClientCertificates = ServerCredentials.createSsl(
    Buffer.from(trust.rootsPem(['authority'])),
    [{ cert_chain: Buffer.from(own.certPem), private_key: Buffer.from(own.keyPem) }],
    false,
  );
  const lenientServer = recordingServer();
  lenient = { server: lenientServer, port: await bound(lenientServer, noClientCertificates) };
  const plainServer = recordingServer();
  plain = { server: plainServer, port: await bound(plainServer, ServerCredentials.createInsecure()) };
}, 120_000);

afterEach(() => {
  seen.length = 0;
  jest.restoreAllMocks();
});

afterAll(() => {
  for (const client of clients) client.close();
  server?.forceShutdown();
  lenient?.server.forceShutdown();
  plain?.server.forceShutdown();
});

describe('connectionPeerCertificate', () => {
  it("gives the DER grpc-js gives, reaching the call's HTTP/2 session", async () => {
    await call(clientAs('police-hn.inv-1'));
    expect(seen).toHaveLength(1);
    const [first] = seen as [Seen];
    expect(first.viaSession).toBe(true);
    expect(first.fast).toEqual(actorDer('police-hn.inv-1'));
    expect(first.fast).toEqual(first.slow);
  });

  it('reads the certificate from the TLS socket once per connection, not once per call', async () => {
    const client = clientAs('police-hn.sup-1');
    await call(client); // the connection is up and its certificate read
    const reads = jest.spyOn(TLSSocket.prototype, 'getPeerCertificate');
    seen.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => call(client)));
    // Only grpc-js's own getAuthContext() in the handler reads it now: once per call.
    expect(reads).toHaveBeenCalledTimes(5);
    expect(seen.map((s) => s.fast)).toEqual(Array.from({ length: 5 }, () => actorDer('police-hn.sup-1')));
  });

  it("keeps each connection's own certificate", async () => {
    const a = clientAs('police-hn.judge-1');
    const b = clientAs('telco-a.main');
    await call(a);
    await call(b);
    await call(a);
    expect(seen.map((s) => s.fast)).toEqual([
      actorDer('police-hn.judge-1'),
      actorDer('telco-a.main'),
      actorDer('police-hn.judge-1'),
    ]);
    expect(seen.map((s) => s.fast)).toEqual(seen.map((s) => s.slow));
  });

  it('gives nothing for a connection without a verified client certificate, or without TLS, as grpc-js does', async () => {
    const anonymous = new Client(
      `localhost:${lenient.port}`,
      credentials.createSsl(Buffer.from(trust.rootsPem(['service']))),
    );
    const insecure = new Client(`localhost:${plain.port}`, credentials.createInsecure());
    clients.push(anonymous, insecure);
    await call(anonymous);
    await call(insecure);
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.viaSession).toBe(true);
      expect(s.fast).toBeUndefined();
      expect(s.slow).toBeUndefined();
    }
  });

  it('falls back to getAuthContext() on a call whose grpc-js internals it does not recognise', () => {
    const raw = actorDer('police-hn.inv-1');
    const foreign = { getAuthContext: () => ({ sslPeerCertificate: { raw } }) };
    expect(http2SessionOf(foreign)).toBeUndefined();
    expect(connectionPeerCertificate(foreign)).toBe(raw);
    expect(peerCertificateOf(foreign)).toBe(raw);
    expect(connectionPeerCertificate({ getAuthContext: () => ({}) })).toBeUndefined();
  });
});
