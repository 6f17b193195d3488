import { ErrorCode } from './generated/evx/v1/common.js';

const MiB = 1024 * 1024;

/**
 * Size limits of the contracts, as documented in the proto comments and docs/contracts.md; change them together.
 * Servers enforce them and answer RESOURCE_EXHAUSTED (or reject the record) beyond them.
 */
export const WIRE_LIMITS = Object.freeze({
  /** Largest gRPC message EVX servers and clients accept (`grpc.max_receive_message_length`). */
  maxMessageBytes: 4 * MiB,
  /** Largest payload in one EvidenceRecord message, and largest `data` in one package download chunk. */
  maxChunkBytes: 1 * MiB,
  /** Largest payload of one evidence record, over all its chunks. */
  maxRecordPayloadBytes: 1024 * MiB,
  /** Most selectors in one order. */
  maxSelectorsPerOrder: 100,
  /** Longest free-text field (reasons, justifications, questions, answers), in characters. */
  maxTextLength: 4000,
  /** Page size of ListRequests when the request says 0, and the most it returns. */
  defaultPageSize: 50,
  maxPageSize: 500,
  /** Most entries one VaultService.GetLogEntries call returns, and most events one AppendLogEntries call takes. */
  maxLogEntriesPerCall: 1000,
  maxAuditEventsPerAppend: 100,
});

/** Trailing metadata key (ASCII) that carries an ErrorCode name, without its prefix, on a failed call. */
export const ERROR_CODE_METADATA_KEY = 'evx-error-code';

const ERROR_CODE_PREFIX = 'ERROR_CODE_';

/** The `evx-error-code` trailer value of an ErrorCode, e.g. 'STALE_GENERATION'. */
export function errorCodeTrailerValue(code: ErrorCode): string {
  return code.slice(ERROR_CODE_PREFIX.length);
}

/** The ErrorCode named by an `evx-error-code` trailer value, or undefined for a code this build does not know. */
export function errorCodeFromTrailer(value: string): ErrorCode | undefined {
  const name = ERROR_CODE_PREFIX + value;
  return Object.hasOwn(ErrorCode, name) && name !== ErrorCode.ERROR_CODE_UNSPECIFIED ? (name as ErrorCode) : undefined;
}
