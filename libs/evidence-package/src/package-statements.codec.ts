// The package-level documents (docs/package-format.md §5, §7, §8): the provider's origin statement, the vault's
// custody statement, the package descriptor, and the commitment leaf the log holds.
import { encodeCanonical, parseCanonical, type JsonRecord } from './canonical.util.js';
import { DOC_TYPE, MAX_APPROVALS, MAX_RECORDS } from './package-format.js';
import {
  arr,
  element,
  expectMembers,
  expectType,
  hex32,
  IDENTITY_URI,
  int,
  obj,
  SEGMENT,
  str,
  time,
  uuid,
} from './schema.util.js';

/** What the provider's adapter signs: these records, in this order, answer this order's task. */
export interface OriginStatement {
  readonly authorisationId: string;
  /** SHA-256 of request.json: the signed order the adapter checked before answering. */
  readonly requestSha256: string;
  readonly taskId: string;
  readonly uploadId: string;
  readonly providerId: string;
  readonly adapterUri: string;
  readonly recordCount: number;
  readonly chainHead: string;
  readonly merkleRoot: string;
  /** The adapter's clock when it signed; an assertion, never trusted for certificate checks. */
  readonly signedAt: string;
}

/** SHA-256 of a signed statement's file and of its signature file. */
export interface SignedFileHashes {
  readonly statementSha256: string;
  readonly signatureSha256: string;
}

/** What the vault countersigns on receipt: it held exactly these signed files at `receivedAt`. */
export interface CustodyStatement {
  readonly packageId: string;
  readonly authorisationId: string;
  readonly taskId: string;
  readonly providerId: string;
  readonly custodianUri: string;
  readonly receivedAt: string;
  readonly origin: SignedFileHashes;
  readonly authorisation: { readonly request: SignedFileHashes; readonly approvals: readonly SignedFileHashes[] };
  readonly custodyEventsSha256: string;
}

/** evx/package.json: a summary for people and tools; every value is checked against the signed statements. */
export interface PackageDescriptor {
  readonly packageId: string;
  readonly authorisationId: string;
  readonly taskId: string;
  readonly uploadId: string;
  readonly providerId: string;
  readonly recordCount: number;
  readonly chainHead: string;
  readonly merkleRoot: string;
}

/** The log leaf for a package (evx.v1.PackageCommitment in canonical JSON); hashes are lowercase hex. */
export interface PackageCommitment {
  readonly packageId: string;
  readonly authorisationId: string;
  readonly taskId: string;
  readonly providerId: string;
  readonly recordCount: number;
  readonly chainHead: string;
  readonly merkleRoot: string;
  readonly originSha256: string;
  readonly originSignatureSha256: string;
  readonly custodySha256: string;
  readonly custodySignatureSha256: string;
}

const ORIGIN_MEMBERS = [
  'adapterUri',
  'authorisationId',
  'chainHead',
  'merkleRoot',
  'providerId',
  'recordCount',
  'requestSha256',
  'signedAt',
  'taskId',
  'type',
  'uploadId',
];
const CUSTODY_MEMBERS = [
  'authorisation',
  'authorisationId',
  'custodianUri',
  'custodyEventsSha256',
  'origin',
  'packageId',
  'providerId',
  'receivedAt',
  'taskId',
  'type',
];
const DESCRIPTOR_MEMBERS = [
  'authorisationId',
  'chainHead',
  'merkleRoot',
  'packageId',
  'providerId',
  'recordCount',
  'taskId',
  'type',
  'uploadId',
];
const COMMITMENT_MEMBERS = [
  'authorisationId',
  'chainHead',
  'custodySha256',
  'custodySignatureSha256',
  'merkleRoot',
  'originSha256',
  'originSignatureSha256',
  'packageId',
  'providerId',
  'recordCount',
  'taskId',
  'type',
];

function readOrigin(doc: JsonRecord): OriginStatement {
  expectMembers(doc, ORIGIN_MEMBERS);
  expectType(doc, DOC_TYPE.origin);
  return {
    authorisationId: uuid(doc, 'authorisationId'),
    requestSha256: hex32(doc, 'requestSha256'),
    taskId: uuid(doc, 'taskId'),
    uploadId: uuid(doc, 'uploadId'),
    providerId: str(doc, 'providerId', SEGMENT),
    adapterUri: str(doc, 'adapterUri', IDENTITY_URI, 300),
    recordCount: int(doc, 'recordCount', 0, MAX_RECORDS),
    chainHead: hex32(doc, 'chainHead'),
    merkleRoot: hex32(doc, 'merkleRoot'),
    signedAt: time(doc, 'signedAt'),
  };
}

function readSignedFileHashes(doc: JsonRecord): SignedFileHashes {
  expectMembers(doc, ['signatureSha256', 'statementSha256']);
  return { statementSha256: hex32(doc, 'statementSha256'), signatureSha256: hex32(doc, 'signatureSha256') };
}

function readCustody(doc: JsonRecord): CustodyStatement {
  expectMembers(doc, CUSTODY_MEMBERS);
  expectType(doc, DOC_TYPE.custody);
  const authorisation = obj(doc, 'authorisation');
  expectMembers(authorisation, ['approvals', 'request']);
  const approvals = arr(authorisation, 'approvals', MAX_APPROVALS);
  return {
    packageId: uuid(doc, 'packageId'),
    authorisationId: uuid(doc, 'authorisationId'),
    taskId: uuid(doc, 'taskId'),
    providerId: str(doc, 'providerId', SEGMENT),
    custodianUri: str(doc, 'custodianUri', IDENTITY_URI, 300),
    receivedAt: time(doc, 'receivedAt'),
    origin: readSignedFileHashes(obj(doc, 'origin')),
    authorisation: {
      request: readSignedFileHashes(obj(authorisation, 'request')),
      approvals: approvals.map((_, i) => readSignedFileHashes(element(approvals, 'approvals', i))),
    },
    custodyEventsSha256: hex32(doc, 'custodyEventsSha256'),
  };
}

function readDescriptor(doc: JsonRecord): PackageDescriptor {
  expectMembers(doc, DESCRIPTOR_MEMBERS);
  expectType(doc, DOC_TYPE.package);
  return {
    packageId: uuid(doc, 'packageId'),
    authorisationId: uuid(doc, 'authorisationId'),
    taskId: uuid(doc, 'taskId'),
    uploadId: uuid(doc, 'uploadId'),
    providerId: str(doc, 'providerId', SEGMENT),
    recordCount: int(doc, 'recordCount', 0, MAX_RECORDS),
    chainHead: hex32(doc, 'chainHead'),
    merkleRoot: hex32(doc, 'merkleRoot'),
  };
}

function readCommitment(doc: JsonRecord): PackageCommitment {
  expectMembers(doc, COMMITMENT_MEMBERS);
  expectType(doc, DOC_TYPE.commitment);
  return {
    packageId: uuid(doc, 'packageId'),
    authorisationId: uuid(doc, 'authorisationId'),
    taskId: uuid(doc, 'taskId'),
    providerId: str(doc, 'providerId', SEGMENT),
    recordCount: int(doc, 'recordCount', 0, MAX_RECORDS),
    chainHead: hex32(doc, 'chainHead'),
    merkleRoot: hex32(doc, 'merkleRoot'),
    originSha256: hex32(doc, 'originSha256'),
    originSignatureSha256: hex32(doc, 'originSignatureSha256'),
    custodySha256: hex32(doc, 'custodySha256'),
    custodySignatureSha256: hex32(doc, 'custodySignatureSha256'),
  };
}

/** Encodes `value` with its `type`, then reads it back with the verifier's rules, so a bad field fails here. */
function encodeChecked<T extends object>(type: string, value: T, read: (doc: JsonRecord) => unknown): Uint8Array {
  const bytes = encodeCanonical({ ...value, type });
  read(parseCanonical(bytes));
  return bytes;
}

export const encodeOrigin = (v: OriginStatement): Uint8Array => encodeChecked(DOC_TYPE.origin, v, readOrigin);
export const parseOrigin = (bytes: Uint8Array): OriginStatement => readOrigin(parseCanonical(bytes));
export const encodeCustody = (v: CustodyStatement): Uint8Array => encodeChecked(DOC_TYPE.custody, v, readCustody);
export const parseCustody = (bytes: Uint8Array): CustodyStatement => readCustody(parseCanonical(bytes));
export const encodeDescriptor = (v: PackageDescriptor): Uint8Array =>
  encodeChecked(DOC_TYPE.package, v, readDescriptor);
export const parseDescriptor = (bytes: Uint8Array): PackageDescriptor => readDescriptor(parseCanonical(bytes));

/**
 * The exact bytes the vault appends to its log for a package: canonical JSON of the commitment with
 * `"type":"evx.package-commitment.v1"`. Its log leaf hash is SHA-256(0x00 || these bytes).
 * @throws FormatError when a field is malformed (e.g. a hash that is not 64 lowercase hex digits)
 */
export function packageCommitmentLeaf(commitment: PackageCommitment): Uint8Array {
  const fields: PackageCommitment = {
    packageId: commitment.packageId,
    authorisationId: commitment.authorisationId,
    taskId: commitment.taskId,
    providerId: commitment.providerId,
    recordCount: commitment.recordCount,
    chainHead: commitment.chainHead,
    merkleRoot: commitment.merkleRoot,
    originSha256: commitment.originSha256,
    originSignatureSha256: commitment.originSignatureSha256,
    custodySha256: commitment.custodySha256,
    custodySignatureSha256: commitment.custodySignatureSha256,
  };
  return encodeChecked(DOC_TYPE.commitment, fields, readCommitment);
}

export function parsePackageCommitmentLeaf(bytes: Uint8Array): PackageCommitment {
  return readCommitment(parseCanonical(bytes));
}
