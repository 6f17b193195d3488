// Indexes a tar without extracting it. tar-stream parses the archive (header checksums, ustar prefixes, pax and
// GNU long names, sizes); every entry it reports is checked against the archive safety rules (README.md, "Archive
// safety"), and so are the bytes it consumes without reporting them. Nothing is written anywhere.
import { open, type FileHandle } from 'node:fs/promises';
import { extract, type Extract, type Header } from 'tar-stream';
import type { BagArchiveProblem } from './bag.errors.js';
import {
  ancestorsOf,
  collisionKey,
  describePathProblem,
  hasControlCharacter,
  pathSyntaxProblem,
} from './bag-path.util.js';
import { drained } from './stream.util.js';
import { BLOCK, isZeroBlock, padding, parsePaxRecords, sizeOf, typeflagOf } from './tar.header.js';

export interface TarLimits {
  /** Entries of any kind, directories included. */
  readonly maxEntries: number;
  /** Sum of the sizes of all file entries. */
  readonly maxTotalBytes: number;
  /** Pax extended headers and GNU long names (tar-stream refuses any above 4 MiB whatever this says). */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxHeaderBytes: 64 * 1024,
};

export interface TarIndexEntry {
  /** Name as stored, after removing one leading "./" and a directory's trailing "/". */
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Offset of the entry's data in the archive file. */
  readonly offset: number;
  readonly size: number;
}

export interface TarProblem {
  readonly problem: BagArchiveProblem;
  readonly message: string;
  readonly entry?: string;
}

export interface TarIndex {
  readonly entries: readonly TarIndexEntry[];
  /** Empty for an acceptable archive; any problem means the archive must be rejected. */
  readonly problems: readonly TarProblem[];
}

const FEED_CHUNK = 64 * 1024;
/** File data at least this large is skipped (fed as zeros) when indexing; smaller data is read with the headers. */
const MIN_SKIP = 256 * 1024;
// Large, so that skipping a file costs few writes into tar-stream (its pages are never touched: nothing reads them).
const ZERO_CHUNK = Buffer.alloc(16 * 1024 * 1024);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** tar-stream's entry types that the archive rules refuse. */
const TYPE_KINDS: Readonly<Record<string, string>> = {
  link: 'hard link',
  symlink: 'symbolic link',
  'character-device': 'character device',
  'block-device': 'block device',
  fifo: 'FIFO',
  'contiguous-file': 'contiguous file',
};

/** Typeflags tar-stream reports without a type, or consumes as extended headers. */
const FLAG_KINDS: Readonly<Record<string, string>> = {
  S: 'GNU sparse file',
  D: 'GNU dump directory',
  M: 'GNU multi-volume continuation',
  V: 'GNU volume label',
  K: 'GNU long link name',
  N: 'old GNU long name',
  g: 'pax global header',
};

/** Headers tar-stream consumes and applies to the following entry without reporting them. */
const EXTENDED_FLAGS = new Set(['x', 'g', 'L', 'K', 'N']);

/** tar-stream's bundled types omit two options its extract() reads (extract.js, constructor). */
interface ExtractOptions extends NonNullable<Parameters<typeof extract>[0]> {
  readonly filenameEncoding?: BufferEncoding;
  readonly allowUnknownFormat?: boolean;
}

// latin1 keeps name bytes intact, to be decoded strictly here (tar-stream's UTF-8 would replace invalid bytes);
// headers without the ustar magic (old V7 tars) stay readable, as they were before tar-stream.
const PARSER_OPTIONS: ExtractOptions = { filenameEncoding: 'latin1', allowUnknownFormat: true };

/** Outcome of walking unreported bytes (see `walk`). */
type Walk =
  | { kind: 'reached'; pax: Map<string, Buffer> | undefined }
  | { kind: 'zero'; pos: number; dangling: boolean }
  | { kind: 'header'; pos: number }
  | { kind: 'short' }
  | { kind: 'stopped' };

/** `minSkip`: file data of at least this many bytes is not read (see `TarIndexer.feed`); for tests. */
export async function indexTarArchive(
  file: string,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
  minSkip = MIN_SKIP,
): Promise<TarIndex> {
  const handle = await open(file, 'r');
  try {
    return await new TarIndexer(handle, (await handle.stat()).size, limits, minSkip).run();
  } finally {
    await handle.close();
  }
}

class TarIndexer {
  private readonly entries: TarIndexEntry[] = [];
  private readonly problems: TarProblem[] = [];
  private readonly names = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  private totalBytes = 0;
  private count = 0;
  /** End of the last entry tar-stream reported: every byte before it is accounted for. */
  private reached = 0;
  /** Set by a problem that makes further parsing meaningless. */
  private stopped = false;

  /** Data ranges fed as zeros instead of read ([start, length]); see `feed`. */
  private readonly skipped: [number, number][] = [];
  /** Data ranges tar-stream reported as a regular file's data: start → length. */
  private readonly confirmed = new Map<number, number>();

  constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    private readonly limits: TarLimits,
    /** File data at least this large is fed as zeros instead of read (see `feed`); Infinity reads everything. */
    private readonly minSkip: number,
  ) {}

  async run(): Promise<TarIndex> {
    await this.scan();
    if (this.skipped.some(([start, length]) => this.confirmed.get(start) !== length)) {
      // The prediction was wrong somewhere (a malformed or unusual archive): index it again, feeding every byte.
      return new TarIndexer(this.handle, this.fileSize, this.limits, Infinity).run();
    }
    this.checkFileDirectoryConflicts();
    return { entries: this.entries, problems: this.problems };
  }

  private async scan(): Promise<void> {
    const magic = await this.read(0, Math.min(6, this.fileSize));
    if (isCompressed(magic)) return this.fatal('compressed', 'compressed archives are not accepted; decompress first');
    if (this.fileSize < BLOCK) return this.fatal('not-a-tar', 'the file is too short to be a tar archive');
    const parseError = await this.parse();
    if (!this.stopped) await this.checkEnd(parseError);
  }

  /**
   * Runs tar-stream over the whole file, checking each entry as it is reported; resolves to tar-stream's own
   * error, if any, which `checkEnd` explains. tar-stream cannot seek, so entry data is read too (and dropped):
   * memory holds a chunk or two and at most one extended header, never a file.
   */
  private async parse(): Promise<Error | undefined> {
    const parser = extract(PARSER_OPTIONS);
    let readError: unknown;
    const feeding = this.feed(parser).catch((error: unknown) => {
      readError = error;
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    try {
      for await (const entry of parser) {
        await this.onEntry(entry.header, entry.offset);
        if (this.stopped) break;
        entry.resume();
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      parser.destroy();
      await feeding;
      // An unreadable file is not a problem with the archive: it throws, as before.
      if (readError !== undefined) throw readError;
    }
  }

  /**
   * Feeds the file to tar-stream from the handle already open (never reopened by path), up to the size stat'ed.
   * The data of large regular files is not read: nothing here looks at it, so zeros are fed in its place, and the
   * index costs a read of the headers, not of the archive. Which ranges are data is predicted by walking the
   * headers ahead of tar-stream (`nextSkip`); `run` accepts the result only if tar-stream then reported each of
   * those exact ranges as a file's data (so it consumed them as opaque data and saw every other byte as it is),
   * and indexes the archive again reading every byte otherwise.
   */
  private async feed(parser: Extract): Promise<void> {
    let pos = 0;
    let skip = Number.isFinite(this.minSkip) ? await this.nextSkip(0) : undefined;
    while (pos < this.fileSize && !parser.destroying) {
      if (skip !== undefined && pos === skip.start) {
        this.skipped.push([skip.start, skip.length]);
        for (let done = 0; done < skip.length && !parser.destroying; done += ZERO_CHUNK.length) {
          const chunk = ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, skip.length - done));
          if (!parser.write(chunk) && !(await drained(parser))) return;
        }
        pos = skip.start + skip.length;
        skip = await this.nextSkip(pos + padding(skip.length));
        continue;
      }
      const end = Math.min(pos + FEED_CHUNK, skip?.start ?? this.fileSize, this.fileSize);
      const chunk = await this.read(pos, end - pos);
      if (chunk.length === 0) break;
      if (!parser.write(chunk) && !(await drained(parser))) return;
      pos += chunk.length;
    }
    if (!parser.destroying) parser.end(undefined);
  }

  /**
   * The next large regular file's data range at or after the header expected at `from`, or undefined when there
   * is none or the headers are anything but plain (then the rest is fed as read). Only a prediction: see `feed`.
   */
  private async nextSkip(from: number): Promise<{ start: number; length: number } | undefined> {
    let pos = from;
    let paxSize: number | undefined;
    while (pos + BLOCK <= this.fileSize) {
      const block = await this.read(pos, BLOCK);
      if (block.length < BLOCK || isZeroBlock(block)) return undefined;
      const flag = typeflagOf(block);
      const size = sizeOf(block);
      if (size === undefined) return undefined;
      const dataStart = pos + BLOCK;
      if (flag === 'x' || flag === 'L') {
        if (size > this.limits.maxHeaderBytes) return undefined;
        if (flag === 'x') {
          const text = parsePaxRecords(await this.read(dataStart, size))
            ?.get('size')
            ?.toString('latin1');
          if (text !== undefined && !/^[0-9]{1,16}$/.test(text)) return undefined;
          paxSize = text === undefined ? paxSize : Number(text);
        }
        pos = dataStart + size + padding(size);
        continue;
      }
      if (flag === '5') {
        pos = dataStart;
      } else if (flag === '0') {
        const length = paxSize ?? size;
        if (dataStart + length > this.fileSize) return undefined;
        if (length >= this.minSkip) return { start: dataStart, length };
        pos = dataStart + length + padding(length);
      } else {
        return undefined;
      }
      paxSize = undefined;
    }
    return undefined;
  }

  /** `headerOffset`: where tar-stream read this entry's own header (after any extended headers). */
  private async onEntry(header: Header, headerOffset: number): Promise<void> {
    const before = await this.walk(this.reached, headerOffset);
    if (before.kind === 'stopped') return;
    if (before.kind === 'zero') return this.fatal('trailing-data', 'data follows the end-of-archive marker');
    if (before.kind !== 'reached') return this.fatal('bad-header', `unexpected bytes before offset ${headerOffset}`);
    const size = header.size;
    if (!Number.isSafeInteger(size) || size < 0) return this.fatal('bad-header', 'unreadable size field');
    const isDir = header.type === 'directory';
    // tar-stream (like GNU tar) reads no data after a directory header whatever its size says, other readers skip
    // that many bytes: the two would see different entries after it.
    if (isDir && size > 0) return this.fatal('bad-header', 'directory entry with a non-zero size');
    const dataStart = headerOffset + BLOCK;
    const end = isDir ? dataStart : dataStart + size + padding(size);
    if (end > this.fileSize) return this.fatal('truncated', 'entry data runs past the end of the archive');
    this.reached = end;
    if (header.type === 'file') this.confirmed.set(dataStart, size);
    if (++this.count > this.limits.maxEntries) {
      return this.fatal('too-many-entries', `more than ${this.limits.maxEntries} entries`);
    }
    const nameBytes = before.pax?.get('path') ?? Buffer.from(header.name, 'latin1');
    const refused = await this.refusedKind(header, before.pax, headerOffset);
    this.addEntry(nameBytes, isDir, refused, dataStart, size);
    if (this.totalBytes > this.limits.maxTotalBytes) {
      return this.fatal('too-large', `file data exceeds ${this.limits.maxTotalBytes} bytes`);
    }
  }

  /** Why an entry of this kind is refused, or undefined for a regular file or a directory. */
  private async refusedKind(
    header: Header,
    pax: Map<string, Buffer> | undefined,
    headerOffset: number,
  ): Promise<string | undefined> {
    if (header.type !== 'file' && header.type !== 'directory') {
      const known = TYPE_KINDS[String(header.type)];
      if (known !== undefined) return `${known} entries are not accepted`;
      // tar-stream gives no type for the rest; the typeflag byte names it.
      const flag = typeflagOf(await this.read(headerOffset, BLOCK));
      return `${FLAG_KINDS[flag] ?? `entry type ${JSON.stringify(flag)}`} entries are not accepted`;
    }
    if ([...(pax?.keys() ?? [])].some((key) => key.startsWith('GNU.sparse'))) return 'sparse files are not accepted';
    return undefined;
  }

  private addEntry(nameBytes: Buffer, isDir: boolean, refused: string | undefined, offset: number, size: number) {
    let raw: string;
    try {
      raw = strictUtf8.decode(nameBytes);
    } catch {
      return this.problem('unsafe-name', `entry name ${JSON.stringify(nameBytes.toString('latin1'))} is not UTF-8`);
    }
    if (refused !== undefined) return this.problem('unsupported-entry', refused, raw);
    let name = raw.startsWith('./') ? raw.slice(2) : raw;
    if (isDir && name.endsWith('/')) name = name.slice(0, -1);
    if (isDir && (name === '' || name === '.')) return; // the archive's own root, as `tar -C bag .` writes it
    const unsafe = pathSyntaxProblem(name) ?? (hasControlCharacter(name) ? 'control-character' : undefined);
    if (unsafe !== undefined) return this.problem('unsafe-name', describePathProblem(unsafe), raw);
    if (this.names.has(name)) return this.problem('duplicate-name', 'the archive holds this name twice', raw);
    // Implied parent directories count too: "a/X/1" and "a/x/2" would merge into one folder on NTFS or APFS.
    for (const part of [...ancestorsOf(name), name]) {
      const owner = this.keys.get(collisionKey(part));
      if (owner !== undefined && owner !== part) {
        const text = `${JSON.stringify(part)} differs from ${JSON.stringify(owner)} only by case or normalization`;
        return this.problem('name-collision', text, raw);
      }
    }
    this.names.set(name, raw);
    for (const part of [...ancestorsOf(name), name]) this.keys.set(collisionKey(part), part);
    if (!isDir) this.totalBytes += size;
    this.entries.push({ name, type: isDir ? 'directory' : 'file', offset, size: isDir ? 0 : size });
  }

  /**
   * Walks the bytes from `from` to `to` that tar-stream consumed without reporting an entry. Only pax and GNU
   * long-name headers may stand there. This is our own check because tar-stream skips zero blocks instead of
   * stopping at the end-of-archive marker (so it would report entries hidden after it), keeps pax global headers
   * and GNU long link names to itself, reads malformed pax records partly, and has no size limit of ours.
   */
  private async walk(from: number, to: number): Promise<Walk> {
    let pos = from;
    let pax: Map<string, Buffer> | undefined;
    let dangling = false;
    for (;;) {
      if (pos === to) return { kind: 'reached', pax };
      if (pos + BLOCK > to) return { kind: 'short' };
      const block = await this.read(pos, BLOCK);
      if (isZeroBlock(block)) return { kind: 'zero', pos, dangling };
      const flag = typeflagOf(block);
      if (!EXTENDED_FLAGS.has(flag)) return { kind: 'header', pos };
      const size = sizeOf(block);
      if (size === undefined) return this.stop('bad-header', 'unreadable size field in an extended header');
      if (size > this.limits.maxHeaderBytes) return this.stop('too-large', 'extended header is too large');
      const next = pos + BLOCK + size + padding(size);
      if (next > to) return { kind: 'short' };
      if (flag === 'x') {
        pax = parsePaxRecords(await this.read(pos + BLOCK, size));
        if (pax === undefined) return this.stop('bad-header', 'malformed pax header');
        const paxSize = pax.get('size')?.toString('latin1');
        if (paxSize !== undefined && !/^[0-9]{1,16}$/.test(paxSize)) {
          return this.stop('bad-header', 'malformed pax size record');
        }
      } else if (flag !== 'L') {
        this.problem('unsupported-entry', `${FLAG_KINDS[flag] ?? flag} entries are not accepted`);
      }
      dangling ||= flag === 'x' || flag === 'L';
      pos = next;
    }
  }

  /** After the last entry: the end-of-archive marker, then nothing but zeros. */
  private async checkEnd(parseError: Error | undefined): Promise<void> {
    const after = await this.walk(this.reached, this.fileSize);
    switch (after.kind) {
      case 'stopped':
        return;
      case 'zero':
        if (after.dangling) this.problem('bad-header', 'extended header without a following entry');
        return this.checkTrailer(after.pos + BLOCK);
      case 'reached':
      case 'short':
        return this.fatal('truncated', 'archive ends without an end-of-archive marker');
      case 'header': {
        // A header tar-stream did not report as an entry is one it refused; its error says why.
        const reason = `unreadable header at byte ${after.pos}: ${parseError?.message ?? 'not an entry'}`;
        return this.fatal(after.pos === 0 ? 'not-a-tar' : 'bad-header', reason);
      }
    }
  }

  private checkFileDirectoryConflicts(): void {
    const fileNames = new Set(this.entries.filter((e) => e.type === 'file').map((e) => e.name));
    for (const entry of this.entries) {
      const parts = entry.name.split('/');
      for (let i = 1; i < parts.length; i++) {
        const ancestor = parts.slice(0, i).join('/');
        if (fileNames.has(ancestor)) {
          this.problem('file-directory-conflict', `${JSON.stringify(ancestor)} is a file and a directory`, entry.name);
          break;
        }
      }
    }
  }

  /** After the end marker only zero padding may follow: anything else is content other tools might see. */
  private async checkTrailer(from: number): Promise<void> {
    for (let pos = from; pos < this.fileSize; pos += 65536) {
      const chunk = await this.read(pos, Math.min(65536, this.fileSize - pos));
      if (!isZeroBlock(chunk)) return this.problem('trailing-data', 'data follows the end-of-archive marker');
    }
  }

  private fatal(problem: BagArchiveProblem, message: string): void {
    this.stopped = true;
    this.problem(problem, message);
  }

  private stop(problem: BagArchiveProblem, message: string): Walk {
    this.fatal(problem, message);
    return { kind: 'stopped' };
  }

  private problem(problem: BagArchiveProblem, message: string, entry?: string): void {
    this.problems.push(entry === undefined ? { problem, message } : { problem, message, entry });
  }

  private async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  }
}

function isCompressed(magic: Buffer): boolean {
  const hex = magic.toString('hex');
  return ['1f8b', '425a68', 'fd377a585a00', '28b52ffd'].some((m) => hex.startsWith(m));
}
