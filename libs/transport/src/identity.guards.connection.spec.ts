// The gRPC identity guard over real mutual TLS: the peer certificate is read once per connection, but revocation is
// still decided on every call, so a certificate revoked while its connection stays open is refused on the next call.
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Client,
  Server,
  ServerCredentials,
  credentials,
  status,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { EvxError } from '#evx/errors';
import { readIdentityManifest, revokeCertificate, TrustStore } from '#evx/pki';
import { privateTestPki } from '../../../test/support/test-pki.js';
import { GrpcIdentityGuard } from './identity.guards.js';
import { grpcServerCredentials, loadServiceKeyPair } from './tls.credentials.js';

const METHOD = '/evx.test.Guarded/Call';
const bytes = (b: Buffer) => b;
const ACTOR = 'police-hn.inv-1';

let pki: string;
let trust: TrustStore;
let server: Server;
let client: Client;

function contextOf(call: object): ExecutionContext {
  return {
    getType: () => 'rpc',
    getArgByIndex: (i: number) => [undefined, undefined, call][i],
    getHandler: () => () => undefined,
    getClass: () => class Controller {},
  } as unknown as ExecutionContext;
}

function call(): Promise<void> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(METHOD, bytes, bytes, Buffer.from('?'), (error) => (error ? reject(error) : resolve())),
  );
}

beforeAll(async () => {
  pki = await privateTestPki();
  // CRL files are checked for changes at most every millisecond (a service's default is a second).
  trust = TrustStore.fromDirectory(pki, { crlRecheckMs: 1 });
  const guard = new GrpcIdentityGuard(new Reflector(), trust, {
    service: 'authority-api',
    allowedDomains: ['authority'],
  });
  server = new Server();
  server.register(
    METHOD,
    (unary: ServerUnaryCall<Buffer, Buffer>, done: sendUnaryData<Buffer>) => {
      try {
        guard.canActivate(contextOf(unary));
        done(null, Buffer.from('!'));
      } catch (error) {
        const refused = error as EvxError;
        done({ code: status.UNAUTHENTICATED, details: `${refused.code ?? ''} ${refused.message}` }, null);
      }
    },
    bytes,
    bytes,
    'unary',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      grpcServerCredentials(trust, ['authority'], loadServiceKeyPair(pki, 'authority-api')),
      (error, at) => (error ? reject(error) : resolve(at)),
    ),
  );
  client = new Client(
    `localhost:${port}`,
    credentials.createSsl(
      Buffer.from(trust.rootsPem(['service'])),
      readFileSync(join(pki, 'actors', `${ACTOR}.key`)),
      readFileSync(join(pki, 'actors', `${ACTOR}.crt`)),
    ),
  );
}, 120_000);

afterAll(() => {
  client?.close();
  server?.forceShutdown();
});

describe('GrpcIdentityGuard on one open connection', () => {
  it('admits the caller, then refuses it on the same connection once its certificate is revoked', async () => {
    await call();
    await call();
    const entry = readIdentityManifest(pki).identities.find((i) => i.name === ACTOR);
    expect(entry).toBeDefined();
    expect(await revokeCertificate(pki, 'authority', entry!.serial)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = await call().then(
      () => undefined,
      (error: ServiceError) => error,
    );
    expect(refused?.code).toBe(status.UNAUTHENTICATED);
    expect(refused?.details).toMatch(/revoked/);
  }, 30_000);
});
