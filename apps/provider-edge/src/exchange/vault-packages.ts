// provider-edge's side of the vault's package RPCs (proto/evx/v1/vault_service.proto): unary calls through
// VaultClient, and the AppendRecords client stream on the raw grpc-js client, whose write() reports backpressure.
import { Injectable } from '@nestjs/common';
import { Metadata, status, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { EvxError, type ErrorKind } from '#evx/errors';
import type {
  AppendRecordsRequest,
  AppendRecordsResponse,
  BeginPackageRequest,
  BeginPackageResponse,
  CompletePackageRequest,
  CompletePackageResponse,
  EvidencePackage,
  GetPackageResponse,
} from '#evx/proto';
import { VaultClient } from '#evx/transport';

/**
 * The origin statement's `signedAt` (RFC 3339 UTC with milliseconds) as call metadata: only a fallback for adapters
 * that predate `CompleteTaskRequest.origin_signed_at`; provider-edge forwards it to the vault as
 * `CompletePackageRequest.origin_signed_at`.
 */
export const ORIGIN_SIGNED_AT_METADATA = 'evx-origin-signed-at';

/** An open AppendRecords stream: write records, then `finish()` for the vault's account of them. */
export interface RecordSink {
  /** False when the stream's buffer is full: stop reading until `drain`. */
  write(request: AppendRecordsRequest): boolean;
  onDrain(listener: () => void): void;
  /** Half-closes and waits for the vault's response. */
  finish(): Promise<AppendRecordsResponse>;
  /** Ends the stream without waiting (the caller is failing anyway); complete records stay durable. */
  abandon(): void;
  /** Called once if the vault's stream fails before `finish()` or `abandon()`. */
  onFailure(listener: (error: unknown) => void): void;
}

type StreamMethod = (
  callback: (error: ServiceError | null, response?: AppendRecordsResponse) => void,
) => ClientWritableStream<AppendRecordsRequest>;

/**
 * Payload bytes handed to the AppendRecords stream but not yet sent to the vault before `write` says "full": the
 * memory bound of this hop (grpc-js's own buffer counts messages, not bytes).
 */
const UNSENT_LIMIT_BYTES = 4 * 1024 * 1024;

/** How long the vault may take to confirm an AppendRecords stream after it was half-closed. */
const FINISH_TIMEOUT_MS = 60_000;

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: unknown) => void,
) => void;

const KIND_OF_STATUS: Partial<Record<status, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: 'invalid-argument',
  [status.OUT_OF_RANGE]: 'out-of-range',
  [status.NOT_FOUND]: 'not-found',
  [status.FAILED_PRECONDITION]: 'failed-precondition',
  [status.ABORTED]: 'stale-generation',
  [status.RESOURCE_EXHAUSTED]: 'too-large',
  [status.DATA_LOSS]: 'data-loss',
};

@Injectable()
export class VaultPackages {
  constructor(private readonly vault: VaultClient) {}

  async begin(request: BeginPackageRequest): Promise<EvidencePackage> {
    const response = await this.vault.call<BeginPackageResponse>('beginPackage', request);
    return required(response.evidencePackage);
  }

  async get(packageId: string): Promise<EvidencePackage> {
    const response = await this.vault.call<GetPackageResponse>('getPackage', { packageId });
    return required(response.evidencePackage);
  }

  /**
   * Called on the raw client: the vault's refusals (DATA_LOSS, INVALID_ARGUMENT SIGNATURE_INVALID, ...) must reach
   * the adapter as they are, not as UNAVAILABLE (which an adapter retries forever).
   */
  async complete(request: CompletePackageRequest): Promise<EvidencePackage> {
    const method = (this.vault.grpc as unknown as Record<string, UnaryMethod>)['completePackage'];
    const metadata = new Metadata();
    const response = await new Promise<CompletePackageResponse>((resolve, reject) =>
      method.call(this.vault.grpc, request, metadata, { deadline: new Date(Date.now() + 30_000) }, (error, r) =>
        error ? reject(vaultStreamError(error)) : resolve(r as CompletePackageResponse),
      ),
    );
    return required(response.evidencePackage);
  }

  /** Opens AppendRecords for a package; the header is written here. */
  openRecords(packageId: string): RecordSink {
    let settle!: { resolve: (r: AppendRecordsResponse) => void; reject: (e: unknown) => void };
    const outcome = new Promise<AppendRecordsResponse>((resolve, reject) => (settle = { resolve, reject }));
    // A failure before finish() or abandon() is reported at once (the adapter's call must not wait on a dead stream);
    // after them it is the caller's to observe (finish) or expected (abandon).
    let closing = false;
    let failureListener: ((error: unknown) => void) | undefined;
    outcome.catch((error: unknown) => {
      if (!closing) failureListener?.(error);
    });
    const method = (this.vault.grpc as unknown as Record<string, StreamMethod>)['appendRecords'];
    const call = method.call(this.vault.grpc, (error, response) =>
      error ? settle.reject(vaultStreamError(error)) : settle.resolve(response!),
    );
    call.write({ header: { packageId } });
    // Full while grpc-js's buffer is full or too many payload bytes are not yet sent; drain listeners fire (once)
    // when both clear.
    let unsent = 0;
    let full = false;
    const drainListeners: Array<() => void> = [];
    const drained = () => {
      if (!full || unsent > UNSENT_LIMIT_BYTES / 2 || call.writableNeedDrain) return;
      full = false;
      for (const listener of drainListeners.splice(0)) listener();
    };
    call.on('drain', drained);
    return {
      write: (request) => {
        const size = request.record?.payload?.length ?? 0;
        unsent += size;
        const room = call.write(request, () => {
          unsent -= size;
          drained();
        });
        if (!room || unsent > UNSENT_LIMIT_BYTES) full = true;
        return !full;
      },
      onDrain: (listener) => void drainListeners.push(listener),
      onFailure: (listener) => (failureListener = listener),
      finish: () => {
        closing = true;
        call.end();
        // The vault answers once its last record is durable; a vault that never answers must not hold the adapter.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            call.cancel();
            reject(
              new EvxError(
                'unavailable',
                'the vault did not confirm the upload in time; ask GetUploadState and resume',
              ),
            );
          }, FINISH_TIMEOUT_MS);
        });
        return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
      },
      abandon: () => {
        closing = true;
        call.cancel();
      },
    };
  }
}

function required(pkg: EvidencePackage | null | undefined): EvidencePackage {
  if (!pkg) throw new EvxError('unavailable', 'the vault answered without a package; try again shortly');
  return pkg;
}

/** The vault's refusals keep their kind, message and code; anything else is the vault being unavailable. */
function vaultStreamError(error: ServiceError): Error {
  const kind = KIND_OF_STATUS[error.code as status];
  if (kind) return new EvxError(kind, error.details, error.metadata?.get('evx-error-code')[0]?.toString() || undefined);
  return new EvxError('unavailable', 'the vault is unavailable; resume the upload shortly');
}
