import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';

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
