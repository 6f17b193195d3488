import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { pkiLayout, TrustStore } from '#evx/pki';

export interface AdapterTlsFiles {
  /** CA bundle that issued EVX's server certificates (the `service` trust domain root). */
  serverCaPem: string;
  /** The adapter's own certificate chain and key (provider trust domain). */
  certPem: string;
  keyPem: string;
}

/** Mutual-TLS channel credentials for an adapter. */
export function adapterCredentials(files: AdapterTlsFiles): ChannelCredentials {
  return credentials.createSsl(Buffer.from(files.serverCaPem), Buffer.from(files.keyPem), Buffer.from(files.certPem));
}

/** The files of a dev-PKI adapter identity, e.g. `telco-a.main` (certs-dev/README.md). */
export function devAdapterTlsFiles(certsDir: string, actorFile: string): AdapterTlsFiles {
  return {
    serverCaPem: readFileSync(join(certsDir, 'service', 'root.crt'), 'utf8'),
    certPem: readFileSync(join(certsDir, 'actors', `${actorFile}.crt`), 'utf8'),
    keyPem: readFileSync(join(certsDir, 'actors', `${actorFile}.key`), 'utf8'),
  };
}

/**
 * The authority trust anchors an adapter verifies orders against: root and intermediate CA of the `authority`
 * domain and their CRLs, and nothing else (an order signed under any other domain fails).
 */
export function authorityTrust(pem: { root: string; intermediate: string; crls?: readonly string[] }): TrustStore {
  return TrustStore.fromPem({ authority: { root: pem.root, intermediate: pem.intermediate, crls: pem.crls ?? [] } });
}

/** authorityTrust from a PKI folder laid out like certs-dev/out (authority/root.crt, ca.crt, ca.crl, root.crl). */
export function devAuthorityTrust(certsDir: string): TrustStore {
  const read = (path: string) => readFileSync(path, 'utf8');
  const crls = [pkiLayout.caCrl(certsDir, 'authority'), pkiLayout.rootCrl(certsDir, 'authority')].filter((p) =>
    existsSync(p),
  );
  return authorityTrust({
    root: read(pkiLayout.rootCert(certsDir, 'authority')),
    intermediate: read(pkiLayout.caCert(certsDir, 'authority')),
    crls: crls.map(read),
  });
}
