// The service of the submission floor (submit-floor.server.ts), shared by the server and the benchmark's client:
// one unary method, declared as JSON for @grpc/proto-loader (no .proto file to ship beside dist/).
import { constants } from 'node:crypto';
import { fromJSON, type PackageDefinition } from '@grpc/proto-loader';

type Namespace = Parameters<typeof fromJSON>[0];

/** The package, service and method, as `grpc.loadPackageDefinition(...)` names them. */
export const SUBMIT_FLOOR_PACKAGE = 'evx.bench';
export const SUBMIT_FLOOR_SERVICE = 'SubmitFloor';

const SCHEMA: Namespace = {
  nested: {
    evx: {
      nested: {
        bench: {
          nested: {
            FloorSubmitRequest: {
              fields: {
                authorisationId: { type: 'string', id: 1 },
                expectedGeneration: { type: 'int32', id: 2 },
                signature: { type: 'bytes', id: 3 },
              },
            },
            FloorSubmitResponse: {
              fields: {
                authorisationId: { type: 'string', id: 1 },
                generation: { type: 'int32', id: 2 },
                document: { type: 'bytes', id: 3 },
              },
            },
            SubmitFloor: {
              methods: {
                Submit: { requestType: 'FloorSubmitRequest', responseType: 'FloorSubmitResponse', comment: '' },
              },
            },
          },
        },
      },
    },
  },
};

/** The services' loader options (libs/proto PROTO_LOADER_OPTIONS) that matter for these messages: names, longs, enums, defaults. */
export function submitFloorDefinition(): PackageDefinition {
  return fromJSON(SCHEMA, { keepCase: false, longs: String, enums: String, defaults: true });
}

/**
 * The request document of order `id`, about the size of EVX's canonical request (≈ 1.5 KB): what the investigator
 * signs and the server verifies. Deterministic, so the client can sign what the server seeded.
 */
export function floorRequestBytes(id: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      authorisationId: id,
      caseReference: `CASE-${id}`,
      issuingAgencyId: 'police-hn',
      justification: 'j'.repeat(1200),
      requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
      targetProviderId: 'telco-a',
    }),
  );
}

/** RSA-PSS as EVX signs and verifies (SHA-256, 32-byte salt): the client signs with it, the floor verifies with it. */
export const FLOOR_SIGNATURE_PADDING = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;
