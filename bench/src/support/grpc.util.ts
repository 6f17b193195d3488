// mTLS clients for the benchmarks: one long-lived channel per actor, calls as promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ChannelCredentials, type Client } from '@grpc/grpc-js';
import { createServiceClient, type EvxServiceKey } from '#evx/proto';

export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** A dev-PKI actor's (`police-hn.inv-1`) or service's (`services/vault`) certificate and key. */
export function pemPairOf(pki: string, file: string): PemPair {
  const [folder, name] = file.includes('/') ? (file.split('/') as [string, string]) : ['actors', file];
  return {
    certPem: readFileSync(join(pki, folder, `${name}.crt`), 'utf8'),
    keyPem: readFileSync(join(pki, folder, `${name}.key`), 'utf8'),
  };
}

/** Mutual TLS as `file`, trusting the service CA. */
export function mtlsAs(pki: string, file: string): ChannelCredentials {
  const own = pemPairOf(pki, file);
  return credentials.createSsl(
    readFileSync(join(pki, 'service', 'root.crt')),
    Buffer.from(own.keyPem),
    Buffer.from(own.certPem),
  );
}

type Unary = (request: unknown, callback: (error: Error | null, response?: unknown) => void) => void;

/** A client of one EVX service whose unary methods return promises. */
export class UnaryClient {
  readonly client: Client;

  constructor(service: EvxServiceKey, address: string, creds: ChannelCredentials) {
    this.client = createServiceClient(service, address, creds);
  }

  call<T>(method: string, request: unknown): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    if (!fn) throw new Error(`no method ${method}`);
    return new Promise<T>((resolve, reject) =>
      fn.call(this.client, request, (error, response) => (error ? reject(error) : resolve(response as T))),
    );
  }

  close(): void {
    this.client.close();
  }
}
