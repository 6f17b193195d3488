// Per-record metadata (data/records/NNNNNNNN.json). Its canonical bytes are "the record" for hashing: they hold the
// payload's SHA-256 and size, so hashing them covers payload and metadata alike (docs/package-format.md §3).
import { encodeCanonical, FormatError, isHex32, parseCanonical, type JsonRecord } from './canonical.util.js';
import { DOC_TYPE, MAX_RECORD_BYTES, MAX_RECORDS } from './package-format.js';
import { expectMembers, expectType, hex32, int, str, time } from './schema.util.js';

export interface RecordMetadata {
  /** Position in the package, from 1; the record is leaf `sequenceNumber - 1` of the Merkle tree. */
  readonly sequenceNumber: number;
  /** An evx.v1.RequestType value name, e.g. REQUEST_TYPE_TRAFFIC_DATA. */
  readonly requestType: string;
  /** The order's selector this record answers. */
  readonly selectorId: string;
  /** When the recorded event happened (UTC, milliseconds), e.g. 2026-11-20T08:15:00.000Z. */
  readonly recordTime: string;
  /** Media type of the payload. */
  readonly contentType: string;
  readonly payloadSize: number;
  /** Lowercase hex SHA-256 of the payload bytes. */
  readonly payloadSha256: string;
}

const REQUEST_TYPE = /^REQUEST_TYPE_(?!UNSPECIFIED$)[A-Z][A-Z_]*$/;
const SELECTOR_ID = /^[A-Za-z0-9_-]{1,32}$/;
const CONTENT_TYPE = /^[\x21-\x2e\x30-\x7e]+\/[\x20-\x7e]+$/;
const MEMBERS = [
  'contentType',
  'payloadSha256',
  'payloadSize',
  'recordTime',
  'requestType',
  'selectorId',
  'sequenceNumber',
  'type',
];

function readRecordMetadata(doc: JsonRecord): RecordMetadata {
  expectMembers(doc, MEMBERS);
  expectType(doc, DOC_TYPE.record);
  return {
    sequenceNumber: int(doc, 'sequenceNumber', 1, MAX_RECORDS),
    requestType: str(doc, 'requestType', REQUEST_TYPE, 64),
    selectorId: str(doc, 'selectorId', SELECTOR_ID, 32),
    recordTime: time(doc, 'recordTime'),
    contentType: str(doc, 'contentType', CONTENT_TYPE, 127),
    payloadSize: int(doc, 'payloadSize', 0, MAX_RECORD_BYTES),
    payloadSha256: hex32(doc, 'payloadSha256'),
  };
}

/** The canonical bytes of a record's metadata; throws FormatError if a field is out of range. */
export function encodeRecordMetadata(metadata: RecordMetadata): Uint8Array {
  if (!isHex32(metadata.payloadSha256)) throw new FormatError('"payloadSha256" must be 64 lowercase hex digits');
  const doc = { type: DOC_TYPE.record, ...metadata };
  // One set of rules for writing and reading, applied to the document before it is encoded (every member is an
  // integer or an ASCII string of a fixed pattern, so its canonical bytes parse back to exactly this document).
  readRecordMetadata(doc);
  return encodeCanonical(doc);
}

export function parseRecordMetadata(bytes: Uint8Array): RecordMetadata {
  return readRecordMetadata(parseCanonical(bytes));
}
