// Indexes a tar without extracting it: one pass over the headers records where each file's data lies, and every
// entry is checked against the archive safety rules (README.md, "Archive safety"). Nothing is written anywhere.
import { open, type FileHandle } from 'node:fs/promises';
import type { BagArchiveProblem } from './bag.errors.js';
import {
  ancestorsOf,
  collisionKey,
  describePathProblem,
  hasControlCharacter,
  pathSyntaxProblem,
} from './bag-path.util.js';
import { BLOCK, padding, parsePaxRecords, parseTarHeader, type RawTarHeader } from './tar.header.js';

export interface TarLimits {
  /** Entries of any kind, directories included. */
  readonly maxEntries: number;
  /** Sum of the sizes of all file entries. */
  readonly maxTotalBytes: number;
  /** Pax extended headers and GNU long names. */
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const ENTRY_KINDS: Readonly<Record<string, string>> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  '7': 'contiguous file',
  S: 'GNU sparse file',
  D: 'GNU dump directory',
  M: 'GNU multi-volume continuation',
  V: 'GNU volume label',
  K: 'GNU long link name',
  g: 'pax global header',
};

export async function indexTarArchive(file: string, limits: TarLimits = DEFAULT_TAR_LIMITS): Promise<TarIndex> {
  const handle = await open(file, 'r');
  try {
    return await new TarIndexer(handle, (await handle.stat()).size, limits).run();
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

  constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    private readonly limits: TarLimits,
  ) {}

  async run(): Promise<TarIndex> {
    await this.scan();
    this.checkFileDirectoryConflicts();
    return { entries: this.entries, problems: this.problems };
  }

  /** Returns when the end marker is reached or on the first problem that makes further parsing meaningless. */
  private async scan(): Promise<void> {
    const magic = await this.read(0, Math.min(6, this.fileSize));
    if (isCompressed(magic)) return this.fatal('compressed', 'compressed archives are not accepted; decompress first');
    let pos = 0;
    let pax: Map<string, Buffer> | undefined;
    let longName: Buffer | undefined;
    for (;;) {
      if (pos + BLOCK > this.fileSize) {
        if (pos === 0) return this.fatal('not-a-tar', 'the file is too short to be a tar archive');
        return this.fatal('truncated', 'archive ends without an end-of-archive marker');
      }
      const parsed = parseTarHeader(await this.read(pos, BLOCK));
      if (parsed.kind === 'end') return this.checkTrailer(pos + BLOCK, pax !== undefined || longName !== undefined);
      if (parsed.kind === 'error') return this.fatal(pos === 0 ? 'not-a-tar' : 'bad-header', parsed.reason);
      const header = parsed.header;
      const dataStart = pos + BLOCK;
      const size = header.typeflag === '0' || header.typeflag === '\0' ? (paxSize(pax) ?? header.size) : header.size;
      if (!Number.isSafeInteger(size)) return this.fatal('bad-header', 'malformed pax size record');
      if (dataStart + size + padding(size) > this.fileSize) {
        return this.fatal('truncated', 'entry data runs past the end of the archive');
      }
      pos = dataStart + size + padding(size);
      if (header.typeflag === 'x' || header.typeflag === 'L') {
        if (size > this.limits.maxHeaderBytes) return this.fatal('too-large', 'extended header is too large');
        const data = await this.read(dataStart, size);
        if (header.typeflag === 'L') longName = cString(data);
        else if ((pax = parsePaxRecords(data)) === undefined) return this.fatal('bad-header', 'malformed pax header');
        continue;
      }
      const nameBytes = pax?.get('path') ?? longName ?? header.name;
      const sparse = [...(pax?.keys() ?? [])].some((key) => key.startsWith('GNU.sparse'));
      pax = undefined;
      longName = undefined;
      if (++this.count > this.limits.maxEntries) {
        return this.fatal('too-many-entries', `more than ${this.limits.maxEntries} entries`);
      }
      this.addEntry(header, nameBytes, sparse, dataStart, size);
      if (this.totalBytes > this.limits.maxTotalBytes) {
        return this.fatal('too-large', `file data exceeds ${this.limits.maxTotalBytes} bytes`);
      }
    }
  }

  private addEntry(header: RawTarHeader, nameBytes: Buffer, sparse: boolean, offset: number, size: number): void {
    let raw: string;
    try {
      raw = strictUtf8.decode(nameBytes);
    } catch {
      return this.problem('unsafe-name', `entry name ${JSON.stringify(nameBytes.toString('latin1'))} is not UTF-8`);
    }
    const flag = header.typeflag;
    // Old tars mark directories only by a trailing '/' on a regular-file entry.
    const isDir = flag === '5' || ((flag === '0' || flag === '\0') && raw.endsWith('/') && size === 0);
    if (!isDir && flag !== '0' && flag !== '\0') {
      const kind = ENTRY_KINDS[flag] ?? `entry type ${JSON.stringify(flag)}`;
      return this.problem('unsupported-entry', `${kind} entries are not accepted`, raw);
    }
    if (sparse) return this.problem('unsupported-entry', 'sparse files are not accepted', raw);
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
  private async checkTrailer(from: number, dangling: boolean): Promise<void> {
    if (dangling) this.problem('bad-header', 'extended header without a following entry');
    for (let pos = from; pos < this.fileSize; pos += 65536) {
      const chunk = await this.read(pos, Math.min(65536, this.fileSize - pos));
      if (!chunk.every((b) => b === 0)) return this.problem('trailing-data', 'data follows the end-of-archive marker');
    }
  }

  private fatal(problem: BagArchiveProblem, message: string): void {
    this.problem(problem, message);
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

/** The pax "size" override; NaN when present but malformed, so the caller refuses it. */
function paxSize(pax: Map<string, Buffer> | undefined): number | undefined {
  const text = pax?.get('size')?.toString('ascii');
  if (text === undefined) return undefined;
  return /^[0-9]{1,16}$/.test(text) ? Number(text) : Number.NaN;
}

function cString(data: Buffer): Buffer {
  const end = data.indexOf(0);
  return end === -1 ? data : data.subarray(0, end);
}

function isCompressed(magic: Buffer): boolean {
  const hex = magic.toString('hex');
  return ['1f8b', '425a68', 'fd377a585a00', '28b52ffd'].some((m) => hex.startsWith(m));
}
