// `evx package download`: fetch an order's evidence package file over REST (GET /v1/requests/{id}/package), into
// `<out>.part` first, resuming from its length with `Range: bytes=N-` when asked to, then check the whole file's
// SHA-256 against the one the server announced (X-Evx-Package-Sha256) and only then rename it to `<out>`. A broken
// connection leaves the .part file for `--resume`; a file that does not match its hash is removed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { basename, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, getStream, UsageError } from '../../authority-api.http-client.js';
import { identityOf, type RequestConnection } from '../request/request.actions.js';

export interface DownloadOptions extends RequestConnection {
  /** The order. */
  id: string;
  /** Where to save; default `evx-<id>.tar` (or .zip) in the current folder. */
  out?: string;
  /** Continue `<out>.part` from its length instead of starting again. */
  resume?: boolean;
  /** TAR (default) or ZIP. */
  format?: string;
}

export interface DownloadSummary {
  authorisationId: string;
  packageId: string;
  file: string;
  /** Size of the whole file in bytes. */
  size: number;
  /** Hex; checked against the file written. */
  sha256: string;
  /** Where this run started: 0, or the length of the partial file it continued. */
  resumedFrom: number;
  /** Bytes received in this run. */
  received: number;
}

/** Told how the transfer goes: the total once known, then the bytes so far. */
export interface DownloadProgress {
  start(total: number, already: number): void;
  update(done: number): void;
  stop(): void;
}

/** The integrity check failed: exit 1, like a refusal (the thing checked is invalid). */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

const FORMATS: Record<string, string> = { TAR: 'tar', ZIP: 'zip' };

function formatOf(value: string | undefined): string {
  const format = (value ?? 'TAR').toUpperCase().replace(/^PACKAGE_FORMAT_/, '');
  if (!FORMATS[format]) throw new UsageError(`--format must be TAR or ZIP, not ${value}`);
  return format;
}

function header(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Downloads, resumes, checks; resolves with what was saved. */
export async function downloadPackageFile(
  opts: DownloadOptions,
  progress?: DownloadProgress,
): Promise<DownloadSummary> {
  if (!opts.id) throw new UsageError('name the order: evx package download <request-id>');
  const format = formatOf(opts.format);
  const identity = identityOf(opts);
  const out = resolve(opts.out ?? `evx-${opts.id}.${FORMATS[format]}`);
  const part = `${out}.part`;
  if (existsSync(out)) throw new UsageError(`${out} exists already; remove it or choose another --out`);
  let offset = 0;
  if (opts.resume && existsSync(part)) offset = statSync(part).size;
  else if (existsSync(part)) rmSync(part);

  const path = `/v1/requests/${encodeURIComponent(opts.id)}/package${format === 'TAR' ? '' : `?format=${format}`}`;
  let res: IncomingMessage;
  try {
    res = await getStream(opts.url, path, identity, offset > 0 ? { range: `bytes=${offset}-` } : {});
  } catch (error) {
    if (error instanceof ApiError && error.status === 416 && offset > 0) {
      // The partial file may hold the whole package already (a run that stopped before its check): check it.
      const size = Number(error.headers['x-evx-package-size'] ?? -1);
      const expected = String(error.headers['x-evx-package-sha256'] ?? '');
      if (size === offset && expected) return finish(opts.id, '', out, part, size, expected, offset, 0);
      throw new ApiError(
        416,
        `${error.message}\nThe partial file ${basename(part)} (${offset} bytes) cannot be continued: delete it, or run without --resume`,
      );
    }
    throw error;
  }
  const sha256 = header(res, 'x-evx-package-sha256') ?? '';
  const size = Number(header(res, 'x-evx-package-size') ?? header(res, 'content-length') ?? 0);
  const packageId = header(res, 'x-evx-package-id') ?? '';
  if (res.statusCode === 206) {
    const start = /^bytes (\d+)-/.exec(header(res, 'content-range') ?? '')?.[1];
    if (Number(start) !== offset) {
      res.destroy();
      throw new ApiError(
        0,
        `the server resumed at byte ${start ?? '?'}, not ${offset}; delete ${part} and start again`,
      );
    }
  } else {
    // 200: the whole file (no resume asked, or the server chose to send it all).
    offset = 0;
  }

  let received = 0;
  progress?.start(size, offset);
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      progress?.update(offset + received);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, count, createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' }));
  } catch (error) {
    throw new Error(
      `the connection broke after ${offset + received} of ${size} bytes (${error instanceof Error ? error.message : String(error)}); ` +
        `run the same command with --resume to continue`,
    );
  } finally {
    progress?.stop();
  }
  return finish(opts.id, packageId, out, part, size, sha256, offset, received);
}

/** Checks the whole partial file (length, SHA-256) and renames it to `out`. */
async function finish(
  authorisationId: string,
  packageId: string,
  out: string,
  part: string,
  size: number,
  sha256: string,
  offset: number,
  received: number,
): Promise<DownloadSummary> {
  const written = statSync(part).size;
  if (written !== size) {
    throw new Error(`got ${written} of ${size} bytes; run the same command with --resume to continue`);
  }
  if (!sha256) {
    throw new IntegrityError(`the server sent no X-Evx-Package-Sha256; ${part} is kept but could not be checked`);
  }
  const actual = await sha256Of(part);
  if (actual !== sha256.toLowerCase()) {
    rmSync(part);
    throw new IntegrityError(
      `the downloaded file does not match the package's SHA-256 (expected ${sha256}, got ${actual}); it was removed: download it again`,
    );
  }
  renameSync(part, out);
  return { authorisationId, packageId, file: out, size, sha256: actual, resumedFrom: offset, received };
}
