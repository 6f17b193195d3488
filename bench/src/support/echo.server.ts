// The baseline of the request-submission figure, run as its own process like the services: a bare grpc-js server
// with the same mutual TLS (vault's service certificate, client certificates required) and one unary method that
// answers every request with BENCH_ECHO_RESPONSE_BYTES bytes. No Nest, no database, no authorisation.
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrustStore } from '#evx/pki';
import { ECHO_SERVICE } from './echo.service.js';

async function main(): Promise<void> {
  const pki = process.env.EVX_CERTS_DIR as string;
  const port = Number(process.env.BENCH_ECHO_PORT);
  const response = Buffer.alloc(Number(process.env.BENCH_ECHO_RESPONSE_BYTES ?? 4096), 0x61);
  const server = new Server();
  const implementation: UntypedServiceImplementation = {
    echo: (_call: unknown, callback: (error: null, value: Buffer) => void) => callback(null, response),
  };
  server.addService(ECHO_SERVICE, implementation);
  const roots = TrustStore.fromDirectory(pki).rootsPem(['authority', 'provider', 'service']);
  const credentials = ServerCredentials.createSsl(
    Buffer.from(roots),
    [
      {
        cert_chain: readFileSync(join(pki, 'services', 'vault.crt')),
        private_key: readFileSync(join(pki, 'services', 'vault.key')),
      },
    ],
    true,
  );
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (error) => (error ? reject(error) : resolve())),
  );
  process.send?.({ type: 'bench-ready' });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

if (process.env.BENCH_ECHO_PORT) void main();
