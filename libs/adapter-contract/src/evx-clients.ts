// How the kit talks to EVX's services: mutual TLS as a service or an actor of the PKI, and single unary calls.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ChannelCredentials, type Client } from '@grpc/grpc-js';
import { createServiceClient } from '#evx/proto';

/** mTLS as one of EVX's own services (`services/<name>.crt|.key`), e.g. authority-api. */
export function serviceCredentials(certsDir: string, service: string): ChannelCredentials {
  return credentials.createSsl(
    readFileSync(join(certsDir, 'service', 'root.crt')),
    readFileSync(join(certsDir, 'services', `${service}.key`)),
    readFileSync(join(certsDir, 'services', `${service}.crt`)),
  );
}

/** mTLS as a dev actor (`actors/<file>.crt|.key`), e.g. an adapter identity. */
export function actorCredentials(certsDir: string, file: string): ChannelCredentials {
  return credentials.createSsl(
    readFileSync(join(certsDir, 'service', 'root.crt')),
    readFileSync(join(certsDir, 'actors', `${file}.key`)),
    readFileSync(join(certsDir, 'actors', `${file}.crt`)),
  );
}

type Unary = (request: unknown, callback: (error: Error | null, response?: unknown) => void) => void;

/** One unary call on an EVX service; rejects with the gRPC error. */
export async function callUnary<T>(
  service: 'authority' | 'providerExchange' | 'taskDispatch',
  address: string,
  method: string,
  request: unknown,
  creds: ChannelCredentials,
): Promise<T> {
  const client: Client = createServiceClient(service, address, creds);
  try {
    return await new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method].bind(client);
      fn(request, (error, response) => (error ? reject(error) : resolve(response as T)));
    });
  } finally {
    client.close();
  }
}
