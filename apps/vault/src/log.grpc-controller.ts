import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { auditEventLeaf, decodeAuditEventLeaf } from '#evx/audit';
import { EvxError } from '#evx/errors';
import { LogAppender, LogKeyConflictError, TransparencyLog, type StoredCheckpoint } from '#evx/log';
import {
  VAULT_SERVICE_NAME,
  timestampFromDate,
  type AppendLogEntriesRequest,
  type AppendLogEntriesResponse,
  type GetCheckpointResponse,
  type GetConsistencyProofRequest,
  type GetConsistencyProofResponse,
  type GetInclusionProofRequest,
  type GetInclusionProofResponse,
  type GetLogEntriesRequest,
  type GetLogEntriesResponse,
  type ListCheckpointsRequest,
  type ListCheckpointsResponse,
} from '#evx/proto';
import { Allow, actorOf, auditEventFromWire, auditRecordToWire } from '#evx/transport';
import { LOG_APPENDER, TRANSPARENCY_LOG } from './log.providers.js';

const MAX_EVENTS = 100;
const MAX_ENTRIES = 1000;

/** The transparency log over gRPC, for EVX's own services (authority-api proxies the read side to auditors). */
@Controller()
export class LogGrpcController {
  constructor(
    @Inject(TRANSPARENCY_LOG) private readonly log: TransparencyLog,
    @Inject(LOG_APPENDER) private readonly appender: LogAppender,
  ) {}

  @GrpcMethod(VAULT_SERVICE_NAME, 'AppendLogEntries')
  @Allow('service')
  async appendLogEntries(
    request: AppendLogEntriesRequest,
    _m: Metadata,
    call: object,
  ): Promise<AppendLogEntriesResponse> {
    const events = request.auditEvents ?? [];
    if (events.length < 1 || events.length > MAX_EVENTS) {
      throw new EvxError('invalid-argument', `send 1 to ${MAX_EVENTS} audit events per call, got ${events.length}`);
    }
    const recordedBy = actorOf(call).uri;
    const inputs = events.map((event, i) => ({
      kind: 'audit',
      key: `audit:${event.eventId}`,
      leaf: auditEventLeaf(auditEventFromWire(event, recordedBy, `audit_events[${i}]`)),
    }));
    const result = await this.appender.append(inputs).catch((error: unknown) => {
      if (error instanceof LogKeyConflictError) {
        throw new EvxError(
          'already-exists',
          `an audit event with that event_id but other content is in the log: ${error.message}`,
        );
      }
      throw error;
    });
    return { indexes: result.indexes.map(String), treeSize: String(result.checkpoint.size) };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'GetCheckpoint')
  @Allow('service')
  async getCheckpoint(): Promise<GetCheckpointResponse> {
    const checkpoint = await this.log.latestCheckpoint();
    if (!checkpoint) throw new EvxError('failed-precondition', 'the log is empty: no checkpoint has been signed yet');
    return {
      checkpoint: Buffer.from(checkpoint.note),
      origin: this.log.origin,
      treeSize: String(checkpoint.size),
      rootHash: Buffer.from(checkpoint.rootHash),
    };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'GetLogEntries')
  @Allow('service')
  async getLogEntries(request: GetLogEntriesRequest): Promise<GetLogEntriesResponse> {
    const start = index(request.startIndex, 'start_index');
    const end = index(request.endIndex, 'end_index');
    const size = (await this.log.latestCheckpoint())?.size ?? 0;
    if (end < start) throw new EvxError('invalid-argument', `end_index ${end} is before start_index ${start}`);
    if (end > size) throw new EvxError('out-of-range', `end_index ${end} is beyond the log size ${size}`);
    if (end - start > MAX_ENTRIES) throw new EvxError('invalid-argument', `at most ${MAX_ENTRIES} entries per read`);
    const entries = await this.log.entries(start, end);
    return {
      entries: entries.map((e) => ({
        index: String(e.seq),
        leafData: Buffer.from(e.leaf),
        integratedAt: timestampFromDate(new Date(e.createdAt)),
        auditEvent: e.kind === 'audit' ? wireEvent(e.leaf) : null,
        packageCommitment: null,
      })),
    };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'GetInclusionProof')
  @Allow('service')
  async getInclusionProof(request: GetInclusionProofRequest): Promise<GetInclusionProofResponse> {
    const size = index(request.treeSize, 'tree_size') || undefined;
    const { proof, checkpoint, tlogProof } = await rangeErrors(() =>
      this.log.inclusionProof(index(request.leafIndex, 'leaf_index'), size),
    );
    return {
      leafIndex: request.leafIndex,
      treeSize: String(checkpoint.size),
      hashes: proof.map((h) => Buffer.from(h)),
      checkpoint: Buffer.from(checkpoint.note),
      tlogProof: Buffer.from(tlogProof),
    };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'GetConsistencyProof')
  @Allow('service')
  async getConsistencyProof(request: GetConsistencyProofRequest): Promise<GetConsistencyProofResponse> {
    const newSize = index(request.newTreeSize, 'new_tree_size') || undefined;
    const { proof, to } = await rangeErrors(() =>
      this.log.consistencyProof(index(request.oldTreeSize, 'old_tree_size'), newSize),
    );
    return {
      oldTreeSize: request.oldTreeSize,
      newTreeSize: String(to.size),
      hashes: proof.map((h) => Buffer.from(h)),
      checkpoint: Buffer.from(to.note),
    };
  }

  @GrpcMethod(VAULT_SERVICE_NAME, 'ListCheckpoints')
  @Allow('service')
  async listCheckpoints(request: ListCheckpointsRequest): Promise<ListCheckpointsResponse> {
    const limit = Math.min(request.pageSize || 100, 1000);
    const list: StoredCheckpoint[] = await this.log.checkpoints(index(request.fromTreeSize, 'from_tree_size'), limit);
    return { checkpoints: list.map((c) => Buffer.from(c.note)) };
  }
}

function index(value: string, field: string): number {
  const n = Number(value || '0');
  if (!/^\d*$/.test(value) || !Number.isSafeInteger(n))
    throw new EvxError('invalid-argument', `${field} must be a whole number`);
  return n;
}

/** The log speaks RangeError for sizes and indexes outside what exists; on the wire that is OUT_OF_RANGE. */
async function rangeErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RangeError) throw new EvxError('out-of-range', error.message);
    throw error;
  }
}

function wireEvent(leaf: Uint8Array) {
  const record = decodeAuditEventLeaf(leaf);
  return record ? auditRecordToWire(record) : null;
}
