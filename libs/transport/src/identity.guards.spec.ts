import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EvxError } from '#evx/errors';
import { TrustStore } from '#evx/pki';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { ALLOW_METADATA, PUBLIC_METADATA, identityOf } from './access.decorators.js';
import type { AccessPolicy } from './identity.authorizer.js';
import { GrpcIdentityGuard, HttpIdentityGuard } from './identity.guards.js';
import { peerCertificateOf } from './grpc-call.util.js';

const POLICY: AccessPolicy = { service: 'authority-api', allowedDomains: ['authority', 'oversight'] };

let pki: string;
let trust: TrustStore;

const der = (file: string) => new X509Certificate(readFileSync(join(pki, 'actors', `${file}.crt`))).raw;

function handlerWith(metadata: Record<string, unknown>): () => void {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(metadata)) Reflect.defineMetadata(key, value, handler);
  return handler;
}

function context(type: 'rpc' | 'http', args: unknown[], handler = handlerWith({})): ExecutionContext {
  return {
    getType: () => type,
    getArgByIndex: (i: number) => args[i],
    getHandler: () => handler,
    getClass: () => class Controller {},
    switchToHttp: () => ({ getRequest: () => args[0] }),
  } as unknown as ExecutionContext;
}

const grpcCall = (raw?: Buffer) => ({ getAuthContext: () => ({ sslPeerCertificate: raw ? { raw } : undefined }) });

const httpRequest = (raw: Buffer | undefined, authorized: boolean, authorizationError?: string) => ({
  socket: { getPeerCertificate: () => (raw ? { raw } : {}), authorized, authorizationError },
});

function refusal(fn: () => unknown): EvxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EvxError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  pki = await sharedTestPki();
  trust = TrustStore.fromDirectory(pki);
}, 120_000);

describe('GrpcIdentityGuard', () => {
  const sut = () => new GrpcIdentityGuard(new Reflector(), trust, POLICY);

  it('attaches the caller identity from the peer certificate to the call', () => {
    const call = grpcCall(der('police-hn.inv-1'));
    expect(sut().canActivate(context('rpc', [{}, {}, call]))).toBe(true);
    expect(identityOf(call)?.uri).toBe('evx://authority/police-hn/investigator/inv-1');
  });

  it('keeps the authenticated certificate on the call for the handler, which then does not ask grpc-js again', () => {
    const raw = der('police-hn.inv-1');
    let asked = 0;
    const call = { getAuthContext: () => (asked++, { sslPeerCertificate: { raw } }) };
    sut().canActivate(context('rpc', [{}, {}, call]));
    expect(peerCertificateOf(call)).toBe(raw);
    expect(asked).toBe(1);
  });

  it('reads the certificate from the call itself when no guard ran', () => {
    const raw = der('police-hn.inv-1');
    expect(peerCertificateOf(grpcCall(raw))).toBe(raw);
    expect(peerCertificateOf(grpcCall())).toBeUndefined();
  });

  it('applies the handler @Allow rules', () => {
    const handler = handlerWith({ [ALLOW_METADATA]: ['approver:judge'] });
    const e = refusal(() => sut().canActivate(context('rpc', [{}, {}, grpcCall(der('police-hn.inv-1'))], handler)));
    expect(e.kind).toBe('permission-denied');
    expect(sut().canActivate(context('rpc', [{}, {}, grpcCall(der('police-hn.judge-1'))], handler))).toBe(true);
  });

  it('refuses a call without a peer certificate', () => {
    expect(refusal(() => sut().canActivate(context('rpc', [{}, {}, grpcCall()]))).kind).toBe('unauthenticated');
  });

  it('refuses a revoked certificate', () => {
    expect(refusal(() => sut().canActivate(context('rpc', [{}, {}, grpcCall(der('police-hn.revoked'))]))).code).toBe(
      'CERT_REVOKED',
    );
  });

  it('leaves HTTP requests to the HTTP guard', () => {
    expect(sut().canActivate(context('http', [httpRequest(undefined, false)]))).toBe(true);
  });
});

describe('HttpIdentityGuard', () => {
  const sut = () => new HttpIdentityGuard(new Reflector(), trust, POLICY);

  it('attaches the identity of a TLS-authorised client', () => {
    const request = httpRequest(der('dpa.aud-1'), true);
    expect(sut().canActivate(context('http', [request]))).toBe(true);
    expect(identityOf(request)?.kind).toBe('auditor');
  });

  it('names the trust-domain problem rather than the TLS error', () => {
    const e = refusal(() =>
      sut().canActivate(context('http', [httpRequest(der('telco-a.main'), false, 'UNABLE_TO_GET_CRL')])),
    );
    expect(e.code).toBe('WRONG_TRUST_DOMAIN');
  });

  it('still refuses when TLS did not authorise a certificate that our checks accept', () => {
    const e = refusal(() =>
      sut().canActivate(context('http', [httpRequest(der('police-hn.inv-1'), false, 'CERT_SIGNATURE_FAILURE')])),
    );
    expect(e.kind).toBe('unauthenticated');
    expect(e.code).toBe('CERT_CERT_SIGNATURE_FAILURE');
  });

  it('lets @Public routes through without a certificate', () => {
    const handler = handlerWith({ [PUBLIC_METADATA]: true });
    expect(sut().canActivate(context('http', [httpRequest(undefined, false)], handler))).toBe(true);
  });

  it('refuses a request without a client certificate', () => {
    expect(refusal(() => sut().canActivate(context('http', [httpRequest(undefined, false)]))).code).toBe(
      'NO_CLIENT_CERTIFICATE',
    );
  });
});
