import {
  loadPackageDefinition,
  type ChannelCredentials,
  type Client,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_LOADER_OPTIONS } from './proto-loader.options.js';

const SERVICES = {
  authority: 'AuthorityService',
  providerExchange: 'ProviderExchangeService',
  taskDispatch: 'TaskDispatchService',
  vault: 'VaultService',
} as const;

export type EvxServiceKey = keyof typeof SERVICES;

const constructors = new Map<EvxServiceKey, ServiceClientConstructor>();

/**
 * A grpc-js client for one EVX service, loaded from the same .proto files and loader options as the servers, so
 * its plain objects match the generated types. Callers narrow it to the methods they use.
 */
export function createServiceClient(
  service: EvxServiceKey,
  address: string,
  credentials: ChannelCredentials,
  options: Record<string, unknown> = {},
): Client {
  let ctor = constructors.get(service);
  if (!ctor) {
    const definition = loadSync(PROTO_FILES[service], PROTO_LOADER_OPTIONS);
    const evx = (loadPackageDefinition(definition) as { evx: { v1: Record<string, ServiceClientConstructor> } }).evx.v1;
    ctor = evx[SERVICES[service]];
    constructors.set(service, ctor);
  }
  return new ctor(address, credentials, options);
}
