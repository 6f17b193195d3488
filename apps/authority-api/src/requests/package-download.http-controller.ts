// GET /v1/requests/{id}/package: the evidence package file, streamed from the vault with its length and SHA-256 in
// the headers, resumable with `Range: bytes=N-` (206 Partial Content). Writing waits for the socket to drain before
// the next chunk is read from the vault, so a slow client holds at most one chunk here.
import { once } from 'node:events';
import { Controller, Get, Headers, Logger, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { EvxError, isEvxError } from '#evx/errors';
import type { Identity } from '#evx/pki';
import { Actor as CallerIdentity, Allow } from '#evx/transport';
import { DownloadPackageUseCase } from './download-package.use-case.js';
import { actorOfIdentity } from './request-workflow.service.js';

const MEDIA_TYPE: Record<string, string> = {
  PACKAGE_FORMAT_TAR: 'application/x-tar',
  PACKAGE_FORMAT_ZIP: 'application/zip',
};

/** Express's response: Node's, plus status/json. */
interface Response extends ServerResponse {
  status(code: number): Response;
  json(body: unknown): void;
}

interface ByteRange {
  readonly start: bigint;
  /** Inclusive; absent for `bytes=N-`. */
  readonly end?: bigint;
}

/** `bytes=N-` or `bytes=N-M`; other forms (suffix, several ranges) are refused with what is supported. */
export function parseRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^\s*bytes\s*=\s*(\d{1,18})\s*-\s*(\d{1,18})?\s*$/i.exec(header);
  if (!match) {
    throw new EvxError(
      'out-of-range',
      `Range "${header}" is not supported; send "bytes=N-" (resume from byte N) or "bytes=N-M"`,
    );
  }
  const start = BigInt(match[1]!);
  const end = match[2] === undefined ? undefined : BigInt(match[2]);
  if (end !== undefined && end < start) throw new EvxError('out-of-range', `Range "${header}" ends before it starts`);
  return { start, ...(end === undefined ? {} : { end }) };
}

@ApiTags('requests')
@Controller('v1/requests')
export class PackageDownloadHttpController {
  private readonly logger = new Logger('PackageDownload');

  constructor(private readonly downloading: DownloadPackageUseCase) {}

  @Get(':id/package')
  @Allow('investigator', 'approver')
  @ApiOperation({
    summary: 'Download the evidence package file (investigators and approvers of the agency; never auditors)',
    description:
      'Streams the BagIt package file from the vault. Resume a broken download with `Range: bytes=N-` (206 with ' +
      'Content-Range); check the whole file against X-Evx-Package-Sha256. Sealed evidence: 409 EVIDENCE_SEALED; no ' +
      'package yet: 404. Every download is an audit event.',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['TAR', 'ZIP'], description: 'TAR by default' })
  @ApiHeader({ name: 'Range', required: false, description: 'bytes=N- to resume from byte N' })
  @ApiProduces('application/x-tar', 'application/zip')
  @ApiResponse({ status: 200, description: 'The whole file; headers Content-Length, X-Evx-Package-Sha256 (hex)' })
  @ApiResponse({ status: 206, description: 'From the Range start; Content-Range bytes N-(size-1)/size' })
  @ApiResponse({ status: 404, description: 'No such order you may see, or no package yet' })
  @ApiResponse({ status: 409, description: 'EVIDENCE_SEALED' })
  @ApiResponse({ status: 416, description: 'Range past the end of the file, or a form other than bytes=N-[M]' })
  async download(
    @CallerIdentity() identity: Identity,
    @Param('id') id: string,
    @Headers('range') rangeHeader: string | undefined,
    @Query('format') format: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    let range: ByteRange | undefined;
    let download;
    try {
      range = parseRange(rangeHeader);
      download = await this.downloading.open(actorOfIdentity(identity), {
        authorisationId: id,
        offset: (range?.start ?? 0n).toString(),
        format: format ? `PACKAGE_FORMAT_${format.toUpperCase().replace(/^PACKAGE_FORMAT_/, '')}` : '',
      });
    } catch (error) {
      // A range the file cannot satisfy is 416, not the 400 the error model gives out-of-range elsewhere.
      if (isEvxError(error) && error.kind === 'out-of-range') {
        res.status(416).json({ statusCode: 416, error: 'RANGE_NOT_SATISFIABLE', message: error.message });
        return;
      }
      throw error;
    }
    const { file, totalSize } = download;
    const start = range?.start ?? 0n;
    if (range && start >= totalSize && totalSize > 0n) {
      // Nothing left after the range start: the client may already hold the whole file (it can check the hash).
      download.cancel();
      res.setHeader('Content-Range', `bytes */${totalSize}`);
      res.setHeader('X-Evx-Package-Size', totalSize.toString());
      if (file) res.setHeader('X-Evx-Package-Sha256', Buffer.from(file.sha256).toString('hex'));
      res.status(416).json({
        statusCode: 416,
        error: 'RANGE_NOT_SATISFIABLE',
        message: `the file has ${totalSize} bytes; a range from byte ${start} holds nothing`,
      });
      return;
    }
    const last = range?.end !== undefined && range.end < totalSize - 1n ? range.end : totalSize - 1n;
    const length = totalSize === 0n ? 0n : last - start + 1n;
    res.status(range ? 206 : 200);
    res.setHeader('Content-Type', MEDIA_TYPE[file?.format ?? 'PACKAGE_FORMAT_TAR'] ?? 'application/octet-stream');
    res.setHeader('Content-Length', length.toString());
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-store');
    if (range) res.setHeader('Content-Range', `bytes ${start}-${last}/${totalSize}`);
    res.setHeader('X-Evx-Package-Size', totalSize.toString());
    if (file) {
      res.setHeader('X-Evx-Package-Id', file.packageId);
      res.setHeader('X-Evx-Package-Sha256', Buffer.from(file.sha256).toString('hex'));
      res.setHeader('ETag', `"${Buffer.from(file.sha256).toString('hex')}"`);
      res.setHeader('Content-Disposition', `attachment; filename="${file.fileName.replace(/[^\w.-]/g, '_')}"`);
    }
    let gone = false;
    const leave = () => {
      if (gone || res.writableFinished) return;
      gone = true;
      download.cancel();
    };
    res.on('close', leave);
    // The client may have gone while the download was being opened: 'close' has fired already.
    if (res.destroyed) leave();
    let sent = 0n;
    try {
      for await (const chunk of download.chunks) {
        if (gone) return;
        let data = chunk.data;
        const remaining = length - sent;
        if (BigInt(data.length) > remaining) data = data.subarray(0, Number(remaining));
        sent += BigInt(data.length);
        if (data.length > 0 && !res.write(data)) {
          if (res.destroyed) return leave();
          await Promise.race([once(res, 'drain'), once(res, 'close')]);
        }
        if (res.destroyed) return leave();
        if (sent >= length) break;
      }
      res.end();
    } catch (error) {
      // Headers are out: all we can do is cut the body short; the client sees fewer bytes than Content-Length and
      // resumes from where it stopped.
      this.logger.warn(`download of order ${id} broke after ${sent} bytes: ${String(error)}`);
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
