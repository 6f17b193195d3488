// Download of an order's evidence package: who may (investigators and approvers of the issuing agency; auditors
// never get evidence), whether it may be (not sealed, delivered), then the vault's OpenPackage stream from the
// asked offset, forwarded chunk by chunk. Reading the vault stream through its async iterator pulls the next chunk
// only when the caller has taken the previous one, so a slow client slows the vault instead of filling memory.
// Every download that the vault agrees to serve is an audit event (PACKAGE_DOWNLOADED), written before the first
// byte leaves.
import { Injectable } from '@nestjs/common';
import { status as GrpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { EvxError, type ErrorKind } from '#evx/errors';
import { ERROR_CODE_METADATA_KEY, type OpenPackageResponse, type PackageFile, type PackageFormat } from '#evx/proto';
import { AuditTrail, VaultClient } from '#evx/transport';
import type { Actor, Authorisation } from '#evx/workflow';
import { RequestWorkflowService } from './request-workflow.service.js';

const KIND_OF_STATUS: Partial<Record<number, ErrorKind>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 'invalid-argument',
  [GrpcStatus.OUT_OF_RANGE]: 'out-of-range',
  [GrpcStatus.NOT_FOUND]: 'not-found',
  [GrpcStatus.FAILED_PRECONDITION]: 'failed-precondition',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'too-large',
  // What this vault cannot produce (e.g. a ZIP file): the message says what to ask for instead.
  [GrpcStatus.UNIMPLEMENTED]: 'invalid-argument',
};

/** The vault's refusal in our error model; transport and identity trouble between services is ours: unavailable. */
export function vaultError(error: unknown): EvxError {
  const e = error as Partial<ServiceError>;
  const kind = e.code === undefined ? undefined : KIND_OF_STATUS[e.code];
  if (!kind) {
    return new EvxError(
      'unavailable',
      'the evidence vault is unavailable; try the download again shortly (resume from the offset you have)',
    );
  }
  const trailer = e.metadata?.get(ERROR_CODE_METADATA_KEY)?.[0];
  return new EvxError(
    kind,
    e.details || e.message || 'the vault refused',
    typeof trailer === 'string' ? trailer : undefined,
  );
}

/** An open download: the file's description, then its chunks from `offset` in order. */
export interface PackageDownload {
  readonly file: PackageFile | null;
  readonly offset: bigint;
  readonly totalSize: bigint;
  /** The vault's first chunk (already read), then the rest, each as the vault sent it. */
  readonly chunks: AsyncIterable<OpenPackageResponse>;
  /** Stops reading from the vault (the client went away). */
  cancel(): void;
}

export interface DownloadCommand {
  readonly authorisationId: string;
  /** Decimal string or number; 0 for the whole file. */
  readonly offset: string | number;
  readonly format: PackageFormat | string;
}

/** The package file may be downloaded only when this holds; the message says why not. */
export function checkDownloadable(a: Authorisation): string {
  if (a.evidenceSealed) {
    throw new EvxError(
      'failed-precondition',
      `the evidence of order ${a.authorisationId} is sealed: ${a.evidenceSealReason ?? 'judicial validation refused or overdue'}; nobody may download it`,
      'EVIDENCE_SEALED',
    );
  }
  if (!a.packageId || !['DELIVERED', 'CLOSED'].includes(a.status)) {
    throw new EvxError(
      'not-found',
      `order ${a.authorisationId} has no evidence package yet (it is ${a.status}); wait for DELIVERED (evx request watch)`,
    );
  }
  return a.packageId;
}

function offsetOf(value: string | number): bigint {
  const text = String(value === '' ? '0' : value);
  if (!/^\d{1,18}$/.test(text)) {
    throw new EvxError(
      'invalid-argument',
      `offset must be a whole number of bytes from 0, not ${JSON.stringify(text)}`,
    );
  }
  return BigInt(text);
}

function formatOf(value: PackageFormat | string): string {
  const name = String(value || 'PACKAGE_FORMAT_UNSPECIFIED');
  if (name === 'PACKAGE_FORMAT_UNSPECIFIED' || name === 'PACKAGE_FORMAT_TAR' || name === '0' || name === '1')
    return 'PACKAGE_FORMAT_TAR';
  if (name === 'PACKAGE_FORMAT_ZIP' || name === '2') return 'PACKAGE_FORMAT_ZIP';
  throw new EvxError('invalid-argument', `format ${name} is not one of PACKAGE_FORMAT_TAR, PACKAGE_FORMAT_ZIP`);
}

type OpenCall = (request: unknown) => ClientReadableStream<OpenPackageResponse>;

@Injectable()
export class DownloadPackageUseCase {
  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly vault: VaultClient,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * Checks, opens the vault's stream and reads its first message (so a refusal is an error here, before anything
   * is sent), records the download, and hands back the stream.
   * @throws EvxError permission-denied (auditors and adapters), not-found (another agency's order, or no package
   *   yet), failed-precondition EVIDENCE_SEALED, invalid-argument (offset, format), out-of-range (offset past the
   *   end), unavailable (vault)
   */
  async open(actor: Actor, command: DownloadCommand): Promise<PackageDownload> {
    if (actor.kind !== 'investigator' && actor.kind !== 'approver') {
      throw new EvxError(
        'permission-denied',
        `${actor.uri} may not download evidence: only investigators and approvers of the issuing agency may`,
      );
    }
    const offset = offsetOf(command.offset);
    const format = formatOf(command.format);
    const stored = await this.workflow.visible(actor, command.authorisationId);
    const packageId = checkDownloadable(stored.authorisation);

    const open = (this.vault.grpc as unknown as { openPackage: OpenCall }).openPackage;
    const call = open.call(this.vault.grpc, {
      packageId,
      offset: offset.toString(),
      format,
      onBehalfOfUri: actor.uri,
    });
    const iterator = (call as AsyncIterable<OpenPackageResponse>)[Symbol.asyncIterator]();
    let first: IteratorResult<OpenPackageResponse>;
    try {
      first = await iterator.next();
    } catch (error) {
      call.cancel();
      throw vaultError(error);
    }
    const head = first.done ? undefined : first.value;
    const totalSize = BigInt(head?.totalSize ?? head?.file?.size ?? 0);

    try {
      await this.workflow.repository.dataSource.transaction(async (manager) => {
        await this.audit.record(manager, [
          {
            actorUri: actor.uri,
            action: 'AUDIT_ACTION_PACKAGE_DOWNLOADED',
            objects: [
              { type: 'OBJECT_TYPE_AUTHORISATION', id: stored.authorisation.authorisationId },
              { type: 'OBJECT_TYPE_EVIDENCE_PACKAGE', id: packageId },
            ],
            reason: `${format.replace('PACKAGE_FORMAT_', '')} file of ${totalSize} bytes, from offset ${offset}`,
          },
        ]);
      });
    } catch (error) {
      call.cancel();
      throw error;
    }
    void this.audit.delivered();

    async function* chunks(): AsyncGenerator<OpenPackageResponse> {
      try {
        if (head) yield head;
        for (;;) {
          let next: IteratorResult<OpenPackageResponse>;
          try {
            next = await iterator.next();
          } catch (error) {
            throw vaultError(error);
          }
          if (next.done) return;
          yield next.value;
        }
      } finally {
        call.cancel();
      }
    }

    return { file: head?.file ?? null, offset, totalSize, chunks: chunks(), cancel: () => call.cancel() };
  }
}
