// OpenPackage: the stored package file from an offset, in chunks of at most 1 MiB, read from disk only as fast as
// the client takes them (the next chunk is read after the call has drained), and never for a sealed order.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { EvxError } from '#evx/errors';
import { WIRE_LIMITS, type OpenPackageRequest, type OpenPackageResponse } from '#evx/proto';
import { EvidencePackageService } from './evidence-package.service.js';

export interface OpenCommand {
  readonly request: OpenPackageRequest;
  readonly requestedBy: string;
}

@Injectable()
export class PackageDownloadService {
  constructor(private readonly packages: EvidencePackageService) {}

  /** Checks, records the opening in the log, then streams. */
  async open(command: OpenCommand, call: Writable & { cancelled?: boolean }): Promise<Observable<OpenPackageResponse>> {
    const { request } = command;
    const format = request.format || 'PACKAGE_FORMAT_UNSPECIFIED';
    if (format === 'PACKAGE_FORMAT_ZIP') {
      throw new RpcException({
        code: GrpcStatus.UNIMPLEMENTED,
        message: 'PACKAGE_FORMAT_ZIP is not available yet: ask for PACKAGE_FORMAT_TAR',
      });
    }
    if (format !== 'PACKAGE_FORMAT_UNSPECIFIED' && format !== 'PACKAGE_FORMAT_TAR') {
      throw new EvxError('invalid-argument', `format ${String(format)} is unknown: use PACKAGE_FORMAT_TAR`);
    }
    if (!/^evx:\/\/\S+$/.test(request.onBehalfOfUri ?? '')) {
      throw new EvxError('invalid-argument', 'on_behalf_of_uri must be the evx:// identity URI of the reader');
    }
    const row = await this.packages.get(request.packageId);
    if (row.state === 'PACKAGE_STATE_SEALED' || (await this.packages.isSealed(row.authorisationId))) {
      throw new EvxError(
        'failed-precondition',
        `the evidence of order ${row.authorisationId} is sealed: package ${row.packageId} can no longer be opened`,
        'EVIDENCE_SEALED',
      );
    }
    if (row.state !== 'PACKAGE_STATE_COMPLETE' || row.fileSize === null || row.fileSha256 === null) {
      throw new EvxError(
        'failed-precondition',
        `package ${row.packageId} is ${row.state}: it is not complete yet`,
        'INVALID_STATE',
      );
    }
    const offset = Number(request.offset || '0');
    if (!/^\d*$/.test(String(request.offset ?? '')) || !Number.isSafeInteger(offset) || offset > row.fileSize) {
      throw new EvxError('out-of-range', `offset must be 0 to the file size ${row.fileSize}, got ${request.offset}`);
    }
    await this.packages.audit.record({
      eventId: randomUUID(),
      actorUri: request.onBehalfOfUri,
      action: 'AUDIT_ACTION_PACKAGE_DOWNLOADED',
      objects: [
        { type: 'OBJECT_TYPE_EVIDENCE_PACKAGE', id: row.packageId },
        { type: 'OBJECT_TYPE_AUTHORISATION', id: row.authorisationId },
      ],
      newState: row.state,
      reason: `package file opened from byte ${offset} of ${row.fileSize} through ${command.requestedBy}`,
      occurredAt: new Date(),
    });
    const file = {
      packageId: row.packageId,
      fileName: `evx-${row.packageId}.tar`,
      format: 'PACKAGE_FORMAT_TAR' as const,
      size: String(row.fileSize),
      sha256: Buffer.from(row.fileSha256, 'hex'),
    };
    const size = row.fileSize;
    const files = this.packages.files;
    return new Observable<OpenPackageResponse>((subscriber) => {
      let closed = false;
      let handle: FileHandle | undefined;
      const run = async () => {
        handle = await files.openPackageFile(row.packageId);
        const buffer = Buffer.alloc(WIRE_LIMITS.maxChunkBytes);
        let position = offset;
        let first = true;
        while (!closed && (first || position < size)) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
          if (bytesRead === 0 && position < size)
            throw new Error(`package file ${row.packageId} is shorter than ${size}`);
          subscriber.next({
            file: first ? file : null,
            offset: String(position),
            data: Buffer.from(buffer.subarray(0, bytesRead)),
            totalSize: String(size),
          });
          first = false;
          position += bytesRead;
          // Backpressure: read the next chunk only when gRPC has taken this one.
          if (call.writableNeedDrain && !closed)
            await Promise.race([once(call, 'drain'), once(call, 'close'), once(call, 'cancelled')]);
        }
        if (!closed) subscriber.complete();
      };
      run()
        .catch((error: unknown) => {
          if (!closed) subscriber.error(error);
        })
        .finally(() => void handle?.close().catch(() => undefined));
      return () => {
        closed = true;
      };
    });
  }
}
