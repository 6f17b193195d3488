import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '@grpc/proto-loader';

/** The protobuf package of every EVX contract. */
export const EVX_PROTO_PACKAGE = 'evx.v1';

/**
 * Absolute path of the repository's `proto/` folder. Found by walking up from this module, because the same code
 * runs from source (libs/proto/src under jest) and compiled (dist/libs/proto/src).
 */
export const PROTO_ROOT = findProtoRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * The `.proto` file each gRPC service is loaded from (Nest's `protoPath`); its imports resolve through
 * `PROTO_LOADER_OPTIONS.includeDirs`.
 */
export const PROTO_FILES: Readonly<Record<'authority' | 'providerExchange' | 'taskDispatch' | 'vault', string[]>> =
  Object.freeze({
    authority: protoFile('authority_service.proto'),
    providerExchange: protoFile('provider_exchange.proto'),
    taskDispatch: protoFile('provider_dispatch.proto'),
    vault: protoFile('vault_service.proto'),
  });

/**
 * The one @grpc/proto-loader configuration, for every EVX gRPC server and client. The generated types in
 * `./generated` describe exactly the plain objects that proto-loader produces and accepts with these options
 * (docs/contracts.md, "Conventions"); change them only together with buf.gen.yaml.
 */
export const PROTO_LOADER_OPTIONS = Object.freeze({
  /** Field names in lowerCamelCase, as ts-proto writes them. */
  keepCase: false,
  /** int64 and uint64 as decimal strings: exact beyond 2^53 (ts-proto forceLong=string). */
  longs: String,
  /** Enum values as their names, e.g. 'REQUEST_STATUS_DRAFT' (ts-proto stringEnums=true). */
  enums: String,
  /** Every scalar, enum, list and map is present on decoded objects; an unset message field is null. */
  defaults: true,
  /** Adds a property named after each oneof, holding the name of the member that is set. */
  oneofs: true,
  /** Where `import "evx/v1/..."` resolves; google/protobuf/*.proto come bundled with protobufjs. */
  includeDirs: Object.freeze([PROTO_ROOT]) as string[],
}) satisfies Options;

function protoFile(name: string): string[] {
  return Object.freeze([join(PROTO_ROOT, 'evx', 'v1', name)]) as string[];
}

function findProtoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'evx', 'v1'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no proto/evx/v1 folder in ${start} or any folder above it`);
  }
}
