import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { loadSync, type MethodDefinition, type PackageDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import {
  EVX_PROTO_PACKAGE,
  PROTO_FILES,
  PROTO_LOADER_OPTIONS,
  PROTO_ROOT,
  type AppendLogEntriesRequest,
  type AppendLogEntriesResponse,
  type AuthorityServiceController,
  type Authorisation,
  type CompleteTaskRequest,
  type CreateRequestRequest,
  type DownloadPackageResponse,
  type GetInclusionProofResponse,
  type GetRequestResponse,
  type ProviderExchangeServiceController,
  type StreamTasksResponse,
  type Task,
  type UploadEvidenceRequest,
  type UploadEvidenceResponse,
  type VaultServiceController,
  type WatchRequestsResponse,
} from './index.js';

// NestJS never runs ts-proto code: it loads proto/ with @grpc/proto-loader and PROTO_LOADER_OPTIONS. These tests
// encode and decode through exactly that loader and check that what comes out is a value of the generated type.
// generated-types.spec.ts checks the same for every message and enum, field by field.

const definitions = {
  AuthorityService: loadSync(PROTO_FILES.authority, PROTO_LOADER_OPTIONS),
  ProviderExchangeService: loadSync(PROTO_FILES.providerExchange, PROTO_LOADER_OPTIONS),
  VaultService: loadSync(PROTO_FILES.vault, PROTO_LOADER_OPTIONS),
};

type ServiceName = keyof typeof definitions;

/** A method of a loaded service, typed with the generated request and response interfaces. */
function rpc<Req, Res>(service: ServiceName, method: string): MethodDefinition<Req, Res, unknown, unknown> {
  const definition = definitions[service][`${EVX_PROTO_PACKAGE}.${service}`] as ServiceDefinition;
  const found = definition[method];
  if (!found) throw new Error(`${service}.${method} is not in the loaded proto`);
  return found as unknown as MethodDefinition<Req, Res, unknown, unknown>;
}

/** Checks that a decoded object is exactly `expected` (a value of the generated type) and returns it as that type. */
function decodedAs<T>(decoded: unknown, expected: T): T {
  expect(decoded).toStrictEqual(expected);
  return decoded as T;
}

/** proto-loader's `oneofs: true` adds a property named after each oneof; the generated interfaces do not declare it. */
function withOneofCase<T extends object>(value: T, cases: Record<string, string>): T {
  return { ...value, ...cases };
}

const seconds = (s: string) => ({ seconds: s, nanos: 0 });
const sha = (fill: number) => Buffer.alloc(32, fill);

describe('PROTO_ROOT, PROTO_FILES and PROTO_LOADER_OPTIONS', () => {
  it('finds the repository proto folder from the module location', () => {
    expect(existsSync(join(PROTO_ROOT, 'evx', 'v1', 'common.proto'))).toBe(true);
    for (const files of Object.values(PROTO_FILES)) {
      for (const file of files) expect(existsSync(file)).toBe(true);
    }
  });

  it('are the options the generated types are written for', () => {
    expect(PROTO_LOADER_OPTIONS).toEqual({
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [PROTO_ROOT],
    });
    expect(Object.isFrozen(PROTO_LOADER_OPTIONS)).toBe(true);
  });

  describe('google/protobuf/timestamp.proto', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('resolves from the well-known types bundled with protobufjs, without searching the include path', () => {
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const definition: PackageDefinition = loadSync(PROTO_FILES.vault, PROTO_LOADER_OPTIONS);
      expect(definition['google.protobuf.Timestamp']).toBeDefined();
      expect(warn).not.toHaveBeenCalled();
    });
  });

  it('serves each service with the methods of its generated Nest controller', () => {
    // Records keyed by the controller interfaces: a method added to or removed from a proto service fails to compile here.
    const controllers: Record<ServiceName, Record<string, boolean>> = {
      AuthorityService: {
        createRequest: false, submitRequest: false, approveRequest: false, rejectRequest: false, validateRequest: false,
        withdrawRequest: false, answerClarification: false, extendPreservation: false, closeRequest: false,
        getRequest: false, listRequests: false, watchRequests: false, downloadPackage: false,
      } satisfies Record<keyof AuthorityServiceController, boolean>,
      ProviderExchangeService: {
        streamTasks: false, acknowledgeTask: false, requestClarification: false, refuseTask: false,
        uploadEvidence: true, getUploadState: false, completeTask: false,
      } satisfies Record<keyof ProviderExchangeServiceController, boolean>,
      VaultService: {
        appendLogEntries: false, getCheckpoint: false, getLogEntries: false, getInclusionProof: false,
        getConsistencyProof: false, listCheckpoints: false, beginPackage: false, appendRecords: true, completePackage: false, getPackage: false,
        openPackage: false, sealEvidence: false,
      } satisfies Record<keyof VaultServiceController, boolean>,
    };
    for (const [service, clientStreaming] of Object.entries(controllers) as [ServiceName, Record<string, boolean>][]) {
      const loaded = definitions[service][`${EVX_PROTO_PACKAGE}.${service}`] as ServiceDefinition;
      const methods = Object.fromEntries(Object.values(loaded).map((m) => [m.originalName, m.requestStream]));
      expect(methods).toEqual(clientStreaming);
    }
  });
});

describe('AuthorityService on the wire', () => {
  it('CreateRequest carries a whole order: camelCase fields, string enums, int64 as strings, Buffers, oneofs', () => {
    const createRequest = rpc<CreateRequestRequest, unknown>('AuthorityService', 'CreateRequest');
    const sent: CreateRequestRequest = {
      idempotencyKey: '0f8b2c1e-7f4d-4e55-9a51-3c7a2b9d1e60',
      details: {
        caseReference: 'NL-2025-0042',
        issuingAgencyId: '',
        countryCode: 'NL',
        requesterUri: '',
        legalBasis: { law: 'Wetboek van Strafvordering', article: '126na(1)', orderDocumentSha256: sha(1), orderDocumentReference: 'RC-77' },
        typeOfCase: 'TYPE_OF_CASE_CYBERCRIME',
        urgency: 'URGENCY_EMERGENCY',
        emergency: { threat: 'EMERGENCY_THREAT_LIFE', justification: 'Kidnapping in progress; the phone is the only lead.' },
        targetProviderId: 'telco-a',
        requestDetails: {
          requestTypes: ['REQUEST_TYPE_SUBSCRIBER_DATA', 'REQUEST_TYPE_USER_IDENTIFYING_DATA'],
          selectors: [
            { selectorId: 's1', msisdn: '+31612345678' },
            { selectorId: 's2', ipObservation: { ipAddress: '2001:db8::1', port: 40123, observedTime: seconds('1764100000') } },
          ],
          timeRange: { startTime: seconds('1764000000'), endTime: seconds('1764100000') },
        },
        requestedDeadline: null,
        confidential: true,
        preservationOnly: false,
        preservationAuthorisationId: '',
      },
    };

    const received = decodedAs(createRequest.requestDeserialize(createRequest.requestSerialize(sent)), {
      ...sent,
      details: {
        ...sent.details!,
        requestDetails: {
          ...sent.details!.requestDetails!,
          selectors: [
            withOneofCase(sent.details!.requestDetails!.selectors[0]!, { value: 'msisdn' }),
            withOneofCase(sent.details!.requestDetails!.selectors[1]!, { value: 'ipObservation' }),
          ],
        },
      },
    });
    expect(Buffer.isBuffer(received.details?.legalBasis?.orderDocumentSha256)).toBe(true);
  });

  it('GetRequest answers with every scalar, enum and list present and unset messages as null', () => {
    const getRequest = rpc<unknown, GetRequestResponse>('AuthorityService', 'GetRequest');
    const draft: Authorisation = {
      authorisationId: '6d1f3a52-0b7e-4c1a-8f0e-2a9b7c4d5e6f',
      generation: 1,
      details: null,
      status: 'REQUEST_STATUS_DRAFT',
      desiredStatus: 'REQUEST_DESIRED_STATUS_DRAFT',
      statusReason: '',
      deadline: null,
      emergencyValidation: null,
      bundle: { canonicalRequest: Buffer.from('{"caseReference":"NL-2025-0042"}'), requesterSignature: null, approvals: [], certificates: [] },
      clarifications: [],
      refusal: null,
      taskId: '',
      packageId: '',
      preservationExpiration: null,
      createdAt: seconds('1764100000'),
      lastChanged: seconds('1764100000'),
    };
    const minimal = { authorisation: { authorisationId: draft.authorisationId, generation: 1, status: 'REQUEST_STATUS_DRAFT' } };

    const received = decodedAs(
      getRequest.responseDeserialize(getRequest.responseSerialize({ authorisation: draft })),
      { authorisation: draft } satisfies GetRequestResponse,
    );
    expect(received.authorisation?.bundle?.canonicalRequest.toString()).toContain('NL-2025-0042');
    expect(getRequest.responseDeserialize(getRequest.responseSerialize(minimal as GetRequestResponse))).toMatchObject({
      authorisation: { desiredStatus: 'REQUEST_DESIRED_STATUS_UNSPECIFIED', details: null, clarifications: [], taskId: '' },
    });
  });

  it('WatchRequests events name their oneof case', () => {
    const watch = rpc<unknown, WatchRequestsResponse>('AuthorityService', 'WatchRequests');
    const heartbeat: WatchRequestsResponse = { cursor: '', change: null, heartbeat: { serverTime: seconds('1764100000') } };
    const received = watch.responseDeserialize(watch.responseSerialize(heartbeat));
    decodedAs(received, withOneofCase({ cursor: '', heartbeat: heartbeat.heartbeat }, { event: 'heartbeat' }));
  });

  it('DownloadPackage chunks keep int64 offsets exact beyond 2^53', () => {
    const download = rpc<unknown, DownloadPackageResponse>('AuthorityService', 'DownloadPackage');
    const chunk: DownloadPackageResponse = {
      file: { packageId: 'p-1', fileName: 'evx-p-1.tar', format: 'PACKAGE_FORMAT_TAR', size: '9007199254740993', sha256: sha(7) },
      offset: '9007199254740993',
      data: Buffer.from('bagit'),
      totalSize: '9007199254741000',
    };
    const received = decodedAs(download.responseDeserialize(download.responseSerialize(chunk)), chunk);
    expect(typeof received.offset).toBe('string');
  });
});

describe('ProviderExchangeService on the wire', () => {
  it('StreamTasks delivers a task with its disclosure part and resume cursor', () => {
    const stream = rpc<unknown, StreamTasksResponse>('ProviderExchangeService', 'StreamTasks');
    const task: Task = {
      taskId: 't-1',
      authorisationId: 'a-1',
      generation: 3,
      providerId: 'telco-a',
      status: 'TASK_STATUS_AWAITING_ACKNOWLEDGEMENT',
      desiredStatus: 'TASK_DESIRED_STATUS_ACTIVE',
      statusReason: '',
      authorisation: null,
      bundle: null,
      disclosure: { deadline: seconds('1764128800'), preservationTaskId: '' },
      clarifications: [],
      refusal: null,
      providerReference: '',
      dispatchedAt: seconds('1764100000'),
      lastChanged: seconds('1764100000'),
    };
    const received = decodedAs(
      stream.responseDeserialize(stream.responseSerialize({ cursor: '42', task })),
      withOneofCase({ cursor: '42', task: withOneofCase(task, { kind: 'disclosure' }) }, { event: 'task' }),
    );
    expect(received.task?.preservation).toBeUndefined();
  });

  it('UploadEvidence takes a header, then records chunked with sequence numbers and offsets', () => {
    const upload = rpc<UploadEvidenceRequest, UploadEvidenceResponse>('ProviderExchangeService', 'UploadEvidence');
    const header: UploadEvidenceRequest = { header: { taskId: 't-1', uploadId: 'u-1' } };
    const record: UploadEvidenceRequest = {
      record: {
        sequenceNumber: '1',
        requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
        selectorId: 's1',
        recordTime: seconds('1764050000'),
        contentType: 'application/json',
        payloadSize: '2097152',
        payloadSha256: sha(9),
        chunkOffset: '1048576',
        payload: Buffer.alloc(1024, 0x61),
      },
    };
    decodedAs(upload.requestDeserialize(upload.requestSerialize(header)), withOneofCase(header, { part: 'header' }));
    decodedAs(upload.requestDeserialize(upload.requestSerialize(record)), withOneofCase(record, { part: 'record' }));

    const response: UploadEvidenceResponse = {
      taskId: 't-1',
      uploadId: 'u-1',
      durableSequenceNumber: '1',
      recordCount: '1',
      rejections: [{ sequenceNumber: '2', code: 'ERROR_CODE_OUT_OF_SCOPE', reason: 'selector s9 is not in the order' }],
    };
    decodedAs(upload.responseDeserialize(upload.responseSerialize(response)), response);
  });

  it('CompleteTask carries the origin signature over chain head and Merkle root', () => {
    const complete = rpc<CompleteTaskRequest, unknown>('ProviderExchangeService', 'CompleteTask');
    const sent: CompleteTaskRequest = {
      taskId: 't-1',
      uploadId: 'u-1',
      expectedGeneration: 3,
      outcome: 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED',
      unfulfilled: { ground: 'REFUSAL_GROUND_DATA_NOT_HELD', explanation: 'retention ended', selectorIds: ['s2'], refusedByUri: '', refusedAt: null },
      recordCount: '12',
      chainHead: sha(2),
      merkleRoot: sha(3),
      originSignature: {
        signerUri: 'evx://provider/telco-a/adapter/main',
        algorithm: 'SIGNATURE_ALGORITHM_ED25519',
        value: Buffer.alloc(64, 5),
        certificateSha256: sha(4),
      },
      originSignedAt: { seconds: '1795686000', nanos: 123000000 },
    };
    decodedAs(complete.requestDeserialize(complete.requestSerialize(sent)), sent);
  });
});

describe('VaultService on the wire', () => {
  it('AppendLogEntries takes audit events and answers int64 leaf indexes as strings', () => {
    const append = rpc<AppendLogEntriesRequest, AppendLogEntriesResponse>('VaultService', 'AppendLogEntries');
    const sent: AppendLogEntriesRequest = {
      auditEvents: [
        {
          eventId: 'e-1',
          actorUri: 'evx://authority/police-nl/approver/judge-1',
          action: 'AUDIT_ACTION_EMERGENCY_VALIDATION_REJECTED',
          objects: [{ objectType: 'OBJECT_TYPE_AUTHORISATION', objectId: 'a-1' }],
          oldState: 'EMERGENCY_VALIDATION_STATUS_PENDING',
          newState: 'EMERGENCY_VALIDATION_STATUS_REJECTED',
          reason: 'no imminent threat shown',
          occurredAt: { seconds: '1764100000', nanos: 500_000_000 },
        },
      ],
    };
    decodedAs(append.requestDeserialize(append.requestSerialize(sent)), sent);
    const response: AppendLogEntriesResponse = { indexes: ['0', '9007199254740993'], treeSize: '9007199254740994' };
    decodedAs(append.responseDeserialize(append.responseSerialize(response)), response);
  });

  it('GetInclusionProof answers repeated bytes as Buffers', () => {
    const proof = rpc<unknown, GetInclusionProofResponse>('VaultService', 'GetInclusionProof');
    const sent: GetInclusionProofResponse = {
      leafIndex: '5',
      treeSize: '8',
      hashes: [sha(1), sha(2), sha(3)],
      checkpoint: Buffer.from('evx.example/log\n8\nAAAA\n\n— evx.example/log sig\n'),
      tlogProof: Buffer.alloc(0),
    };
    const received = decodedAs(proof.responseDeserialize(proof.responseSerialize(sent)), sent);
    expect(received.hashes.every((h) => Buffer.isBuffer(h) && h.length === 32)).toBe(true);
  });
});

describe('what proto-loader accepts beyond the generated types', () => {
  it('accepts enum numbers and int64 numbers on input, and decodes them to names and strings', () => {
    const getRequest = rpc<unknown, unknown>('AuthorityService', 'GetRequest');
    const status = getRequest.responseDeserialize(getRequest.responseSerialize({ authorisation: { status: 6 } })) as GetRequestResponse;
    expect(status.authorisation?.status).toBe('REQUEST_STATUS_DISPATCHED');

    const download = rpc<unknown, unknown>('AuthorityService', 'DownloadPackage');
    const chunk = download.responseDeserialize(download.responseSerialize({ offset: 7 })) as DownloadPackageResponse;
    expect(chunk.offset).toBe('7');
  });

  it('decodes an enum number unknown to this build as the number (a newer peer), which the types do not admit', () => {
    const getRequest = rpc<unknown, unknown>('AuthorityService', 'GetRequest');
    const received = getRequest.responseDeserialize(getRequest.responseSerialize({ authorisation: { status: 999 } })) as GetRequestResponse;
    expect(received.authorisation?.status).toBe(999);
  });
});
