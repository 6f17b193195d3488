// Streams bag entries into a tar on any Writable. tar-stream encodes the archive; this sink fixes every header
// field tar-stream lets a caller choose, so the bytes are reproducible (README.md, "Tar format"), and it waits
// whenever a stream is full, so memory stays flat whatever the payload size.
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pack, type Header, type Pack } from 'tar-stream';
import { BagWriteError } from './bag.errors.js';
import type { BagSink } from './bag.sink.js';
import { drained } from './stream.util.js';

/** Largest size the 11-digit octal field holds (8 GiB - 1). */
const MAX_OCTAL_SIZE = 0o77777777777;
/** tar-stream truncates mtime seconds to a signed 32-bit integer; later dates would come out as garbage. */
const MAX_TAR_STREAM_MTIME = 2 ** 31 - 1;
const NAME_FIELD = 100;

type TarEntryHeader = Partial<Header> & Pick<Header, 'name'>;
type TarEntry = ReturnType<Pack['entry']>;

interface OpenEntry {
  readonly stream: TarEntry;
  /** Settles when tar-stream has taken the whole entry (its callback). */
  readonly done: Promise<void>;
  readonly expected: number;
  written: number;
}

/**
 * The header tar-stream gets for one entry. Fixed: mode, uid/gid 0, no account names, the bag's mtime. A pax
 * header is forced for names over 100 bytes (tar-stream would otherwise split them into the ustar prefix), for
 * sizes over 8 GiB - 1 (tar-stream alone writes GNU base-256) and for an mtime past 2038-01-19 (tar-stream cannot
 * encode it; the ustar field then holds that last encodable second). tar-stream adds one by itself for non-ASCII
 * names.
 */
function tarEntryHeader(name: string, type: 'file' | 'directory', size: number, mtime: number): TarEntryHeader {
  const pax: Record<string, string> = {};
  if (size > MAX_OCTAL_SIZE) pax['size'] = String(size);
  if (mtime > MAX_TAR_STREAM_MTIME) pax['mtime'] = String(mtime);
  const forcePax = Buffer.byteLength(name, 'utf8') > NAME_FIELD || Object.keys(pax).length > 0;
  return {
    name,
    type,
    size,
    mode: type === 'directory' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: new Date(Math.min(mtime, MAX_TAR_STREAM_MTIME) * 1000),
    ...(forcePax ? { pax } : {}),
  };
}

export class TarSink implements BagSink {
  readonly needsSize = true;
  private readonly pack: Pack = pack();
  private failure: Error | undefined;
  private current: OpenEntry | undefined;

  constructor(
    private readonly out: Writable,
    /** Name of the single top-level directory that holds the bag inside the archive. */
    private readonly baseName: string,
    /** Seconds since the epoch, stored as every entry's mtime. */
    private readonly mtime: number,
  ) {
    // Without a listener an 'error' event would crash the process; keep it and report it on the next write.
    out.on('error', (error: Error) => {
      this.failure ??= error;
    });
    // The pipe honours `out`'s back-pressure and ends `out` after the end-of-archive blocks; if `out` fails it
    // destroys the pack (and with it the open entry), which the waits below notice.
    this.pack.pipe(out, (error) => {
      if (error) this.failure ??= error;
    });
  }

  async directory(path: string): Promise<void> {
    const name = path === '' ? `${this.baseName}/` : `${this.baseName}/${path}/`;
    await this.open(tarEntryHeader(name, 'directory', 0, this.mtime)).done;
  }

  async beginFile(path: string, size: number | undefined): Promise<void> {
    if (size === undefined) throw new BagWriteError('tar entries need their size before their data');
    if (this.current) throw new BagWriteError('previous tar entry not finished');
    const entry = this.open(tarEntryHeader(`${this.baseName}/${path}`, 'file', size, this.mtime));
    this.current = { ...entry, expected: size, written: 0 };
  }

  async write(chunk: Uint8Array): Promise<void> {
    const entry = this.requireEntry();
    // tar-stream only notices an oversized entry at its end, after the excess bytes went out; refuse them first.
    if (entry.written + chunk.byteLength > entry.expected) {
      throw new BagWriteError(`entry data exceeds the declared size of ${entry.expected} bytes`);
    }
    this.checkOutput();
    entry.written += chunk.byteLength;
    if (entry.stream.write(chunk)) return;
    // The pack is full (`out` is slow): wait. A close instead means the pack or `out` failed.
    if (!(await drained(entry.stream))) throw this.failure ?? new BagWriteError('tar output closed while writing');
  }

  async endFile(): Promise<void> {
    const entry = this.requireEntry();
    if (entry.written !== entry.expected) {
      throw new BagWriteError(`entry has ${entry.written} bytes but its header declared ${entry.expected}`);
    }
    this.current = undefined;
    entry.stream.end(undefined);
    await entry.done;
  }

  async finish(): Promise<void> {
    if (this.current) throw new BagWriteError('a tar entry is still open');
    this.checkOutput();
    this.pack.finalize();
    await finished(this.out);
    if (this.failure) throw this.failure;
  }

  async abort(reason: Error): Promise<void> {
    this.failure ??= reason;
    this.current = undefined;
    // Destroying marks the output as broken for whoever consumes it, so a truncated archive is not mistaken
    // for a complete one; the consumer sees the error.
    if (!this.out.destroyed) this.out.destroy(reason);
    this.pack.destroy(reason);
  }

  private open(header: TarEntryHeader): { stream: TarEntry; done: Promise<void> } {
    this.checkOutput();
    let settle: (error?: Error | null) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(this.failure ?? error) : resolve());
    });
    // Awaited by the caller when it matters; after an abort nobody waits, and that must not be an unhandled rejection.
    done.catch(() => undefined);
    let stream: TarEntry;
    try {
      stream = this.pack.entry(header, (error) => settle(error));
    } catch {
      throw new BagWriteError('tar output is closed');
    }
    // Failures reach us through the entry callback and `out`; an unheard 'error' event would crash the process.
    stream.on('error', () => undefined);
    return { stream, done };
  }

  private checkOutput(): void {
    if (this.failure) throw this.failure;
    if (this.out.destroyed || this.out.writableEnded) throw new BagWriteError('tar output is closed');
  }

  private requireEntry(): OpenEntry {
    if (!this.current) throw new BagWriteError('no tar entry is open');
    return this.current;
  }
}
