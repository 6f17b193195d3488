import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials as grpcCredentials, type ChannelCredentials, type Client } from '@grpc/grpc-js';
import { loadConfig } from '#evx/config';
import { createServiceClient, type EvxServiceKey } from '#evx/proto';
import type { KeyPair, RunningService } from '#evx/transport';
import type { Clock } from '#evx/workflow';
import { startAuthorityApi } from '../../apps/authority-api/src/authority-api.app.js';
import { AuthorityApiConfig } from '../../apps/authority-api/src/authority-api.config.js';
import { startProviderEdge } from '../../apps/provider-edge/src/provider-edge.app.js';
import { ProviderEdgeConfig } from '../../apps/provider-edge/src/provider-edge.config.js';
import { startVault } from '../../apps/vault/src/vault.app.js';
import { VaultConfig } from '../../apps/vault/src/vault.config.js';
import { freePort } from './ports.js';
import { testDatabase, type TestDatabase } from './test-database.js';

export interface TestStack {
  pki: string;
  db: TestDatabase;
  vault: RunningService;
  providerEdge: RunningService;
  authorityApi: RunningService;
  ports: {
    vault: number;
    providerEdge: number;
    providerEdgeInternal: number;
    authorityGrpc: number;
    authorityHttps: number;
  };
  /** Stops provider-edge (both its ports), e.g. to test that dispatch waits and retries. */
  stopProviderEdge(): Promise<void>;
  /** Starts it again on the same ports and database. */
  startProviderEdge(): Promise<void>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  /** The clock authority-api's workflow reads (deadlines, validation windows); a ManualClock in tests. */
  readonly clock?: Clock;
  /** provider-edge settings to override (e.g. a long task poll, to show that streams are woken, not polled). */
  readonly providerEdge?: Partial<Pick<ProviderEdgeConfig, 'taskPollMs' | 'heartbeatMs'>>;
}

/** The three services in this process, on free ports, with the given PKI and a fresh test database. */
export async function startTestStack(pki: string, options: TestStackOptions = {}): Promise<TestStack> {
  const db = testDatabase();
  const ports = {
    vault: await freePort(),
    providerEdge: await freePort(),
    providerEdgeInternal: await freePort(),
    authorityGrpc: await freePort(),
    authorityHttps: await freePort(),
  };
  const common = { certsDir: pki, logLevel: 'warn' as const, ...db.settings };
  // If a later service fails to start, stop the ones already running: a half-started stack would keep jest alive.
  const started: RunningService[] = [];
  const starting = async (service: Promise<RunningService>): Promise<RunningService> => {
    try {
      const running = await service;
      started.push(running);
      return running;
    } catch (error) {
      for (const s of started.reverse()) await s.close().catch(() => undefined);
      await db.drop().catch(() => undefined);
      throw error;
    }
  };
  const vault = await starting(startVault(loadConfig(VaultConfig, {}, { ...common, grpcPort: ports.vault })));
  const edgeConfig = loadConfig(
    ProviderEdgeConfig,
    {},
    {
      ...common,
      grpcPort: ports.providerEdge,
      internalGrpcPort: ports.providerEdgeInternal,
      taskPollMs: 100,
      heartbeatMs: 500,
      vaultAddress: `localhost:${ports.vault}`,
      ...options.providerEdge,
    },
  );
  const providerEdge = await starting(startProviderEdge(edgeConfig));
  let edgeRunning = true;
  const authorityApi = await starting(
    startAuthorityApi(
      loadConfig(
        AuthorityApiConfig,
        {},
        {
          ...common,
          grpcPort: ports.authorityGrpc,
          httpsPort: ports.authorityHttps,
          vaultAddress: `localhost:${ports.vault}`,
          providerEdgeInternalAddress: `localhost:${ports.providerEdgeInternal}`,
          // Tests run the scheduler's tick themselves, with the clock they control.
          schedulerIntervalMs: 0,
          watchPollMs: 100,
          watchHeartbeatMs: 500,
        },
      ),
      { ...(options.clock ? { clock: options.clock } : {}) },
    ),
  );
  const stack: TestStack = {
    pki,
    db,
    vault,
    providerEdge,
    authorityApi,
    ports,
    // Closes whatever the fields hold now: a test may have restarted a service.
    stopProviderEdge: async () => {
      if (edgeRunning) await stack.providerEdge.close();
      edgeRunning = false;
    },
    startProviderEdge: async () => {
      if (!edgeRunning) stack.providerEdge = await startProviderEdge(edgeConfig);
      edgeRunning = true;
    },
    close: async () => {
      await stack.authorityApi.close();
      await stack.stopProviderEdge();
      await stack.vault.close();
      await db.drop();
    },
  };
  return stack;
}

/** A dev-PKI actor's or service's certificate and key: `actors/<file>` or `services/<name>`. */
export function keyPairOf(pki: string, file: string): KeyPair {
  const [folder, name] = file.includes('/') ? file.split('/') : ['actors', file];
  return {
    certPem: readFileSync(join(pki, folder, `${name}.crt`), 'utf8'),
    keyPem: readFileSync(join(pki, folder, `${name}.key`), 'utf8'),
  };
}

export function serverCa(pki: string): string {
  return readFileSync(join(pki, 'service', 'root.crt'), 'utf8');
}

/** mTLS channel credentials as a given actor (or none: server-authenticated TLS only). */
export function channelAs(pki: string, file?: string): ChannelCredentials {
  const ca = Buffer.from(serverCa(pki));
  if (!file) return grpcCredentials.createSsl(ca);
  const own = keyPairOf(pki, file);
  return grpcCredentials.createSsl(ca, Buffer.from(own.keyPem), Buffer.from(own.certPem));
}

type Unary = (request: unknown, callback: (error: Error | null, response?: unknown) => void) => void;

/** Calls one unary RPC as `file` and returns the response, or rejects with the gRPC error. */
export async function callUnary<T = unknown>(
  service: EvxServiceKey,
  address: string,
  method: string,
  request: unknown,
  credentials: ChannelCredentials,
): Promise<T> {
  const client: Client = createServiceClient(service, address, credentials);
  try {
    return await new Promise<T>((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method].bind(client);
      fn(request, (error, response) => (error ? reject(error) : resolve(response as T)));
    });
  } finally {
    client.close();
  }
}
