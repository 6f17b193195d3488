import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerCredentials, credentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { Domain as TrustDomain, TrustStore } from '#evx/pki';

/** A certificate chain and its key, PEM. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

/** The server/internal-client certificate of one EVX service from the PKI folder (`services/<name>.crt|.key`). */
export function loadServiceKeyPair(certsDir: string, service: string): KeyPair {
  return loadKeyPair(join(certsDir, 'services', `${service}.crt`), join(certsDir, 'services', `${service}.key`));
}

export function loadKeyPair(certPath: string, keyPath: string): KeyPair {
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

/**
 * Server side of mutual TLS for gRPC: only certificates chaining to the listed trust domains complete the
 * handshake. grpc-js takes no CRL, so revocation is checked per call by the identity guard.
 */
export function grpcServerCredentials(
  trust: TrustStore,
  domains: readonly TrustDomain[],
  own: KeyPair,
): ServerCredentials {
  return ServerCredentials.createSsl(
    Buffer.from(trust.rootsPem([...domains])),
    [{ cert_chain: Buffer.from(own.certPem), private_key: Buffer.from(own.keyPem) }],
    true,
  );
}

/** Client side: EVX servers present `service`-domain certificates; the caller presents its own. */
export function grpcClientCredentials(trust: TrustStore, own: KeyPair): ChannelCredentials {
  return credentials.createSsl(
    Buffer.from(trust.rootsPem(['service'])),
    Buffer.from(own.keyPem),
    Buffer.from(own.certPem),
  );
}

/**
 * HTTPS with client certificates. The handshake completes even for a refused certificate (rejectUnauthorized
 * false) so the guard can answer 401 with the reason. No `crl` here: a TLS context's CRLs are fixed when it is
 * built and would expire after their nextUpdate, failing every request; revocation is checked per request by the
 * guard against CRLs it re-reads when they change, as on gRPC.
 */
export function httpsServerOptions(trust: TrustStore, domains: readonly TrustDomain[], own: KeyPair) {
  return {
    key: own.keyPem,
    cert: own.certPem,
    ca: trust.rootsPem([...domains]),
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2' as const,
  };
}
