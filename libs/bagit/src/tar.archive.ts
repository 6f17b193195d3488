// Bag archives: opened in place (checked, then read as byte ranges of the archive), or safely extracted into a fresh
// private temporary directory. The whole archive is indexed and checked before the first byte is read or written,
// and every write creates a new file or directory under that fresh directory, from names already proven safe, so
// no archive content can reach anything outside it.
import { constants, createReadStream, type Stats } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BagArchiveError } from './bag.errors.js';
import { ancestorsOf } from './bag-path.util.js';
import type { BagSource } from './bag.source.js';
import { HashAhead, type HashAheadOptions } from './checksum.ahead.js';
import { DEFAULT_TAR_LIMITS, indexTarArchive, type TarIndex, type TarLimits } from './tar.reader.js';
import { locateTarBag, tarBagSource, type TarBag } from './tar.source.js';

export interface ExtractOptions {
  /** Where the fresh temporary directory is created; default `os.tmpdir()`. */
  readonly parentDir?: string;
  readonly limits?: Partial<TarLimits>;
}

export interface ExtractedBag {
  /** The fresh temporary directory everything was written into. */
  readonly tempDir: string;
  /** The bag's base directory inside `tempDir` (equal to it when bagit.txt was at the archive root). */
  readonly bagDir: string;
  /** Removes `tempDir` and everything in it. */
  cleanup(): Promise<void>;
}

/** A bag archive indexed and checked by `openBagArchive`, to be read in place. */
export interface OpenedBagArchive {
  readonly path: string;
  /** The archive's top-level directory holding the bag ('' when bagit.txt is at the archive root). */
  readonly baseName: string;
  /** The bag's files as byte ranges of the archive. */
  readonly source: BagSource;
  /** The archive file as it was just before it was indexed, to tell whether it changed since. */
  readonly stats: Stats;
  /** Stops hashing ahead, if it was asked for and is still running; the archive can still be read. */
  close(): Promise<void>;
}

export interface OpenBagArchiveOptions {
  readonly limits?: Partial<TarLimits>;
  /**
   * Start hashing the large payload files on worker threads as soon as the archive is indexed (checksum.ahead.ts):
   * validating it later takes those digests instead of reading the files then. `close()` the archive when done.
   */
  readonly hashAhead?: boolean | HashAheadOptions;
}

/**
 * Indexes the archive and applies every archive rule `extractBagArchive` applies, without writing anything: the
 * bag is then read in place. Throws `BagArchiveError` when the archive is refused.
 */
export async function openBagArchive(tarPath: string, options: OpenBagArchiveOptions = {}): Promise<OpenedBagArchive> {
  const stats = await stat(tarPath);
  const { bag } = await checkedArchive(tarPath, options.limits);
  const source = tarBagSource(tarPath, bag);
  if (!options.hashAhead) return { path: tarPath, baseName: bag.baseName, source, stats, close: async () => {} };
  const ahead = new HashAhead(source.files, (path) => source.locate?.(path), {
    ...(options.hashAhead === true ? {} : options.hashAhead),
  });
  return {
    path: tarPath,
    baseName: bag.baseName,
    source: { ...source, hashedAhead: (path, algorithms) => ahead.outcome(path, algorithms) },
    stats,
    close: () => ahead.close(),
  };
}

async function checkedArchive(tarPath: string, limits?: Partial<TarLimits>): Promise<{ index: TarIndex; bag: TarBag }> {
  const index = await indexTarArchive(tarPath, { ...DEFAULT_TAR_LIMITS, ...limits });
  const first = index.problems[0];
  if (first !== undefined) {
    const more = index.problems.length > 1 ? ` (and ${index.problems.length - 1} more problems)` : '';
    const where = first.entry === undefined ? '' : `entry ${JSON.stringify(first.entry)}: `;
    throw new BagArchiveError(first.problem, `${where}${first.message}${more}`, first.entry);
  }
  const bag = locateTarBag(index);
  if ('problem' in bag) throw new BagArchiveError(bag.problem, bag.message);
  return { index, bag };
}

/** Extracts the bag in `tarPath`; throws `BagArchiveError` (having written nothing) when the archive is refused. */
export async function extractBagArchive(tarPath: string, options: ExtractOptions = {}): Promise<ExtractedBag> {
  const { bag, index } = await checkedArchive(tarPath, options.limits);

  const tempDir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'evx-bag-'));
  const cleanup = (): Promise<void> => rm(tempDir, { recursive: true, force: true });
  const created = new Set<string>();
  const ensureDirectory = async (name: string): Promise<void> => {
    if (created.has(name)) return;
    await mkdir(join(tempDir, ...name.split('/')), { mode: 0o755 });
    created.add(name);
  };
  try {
    for (const entry of index.entries) {
      for (const dir of ancestorsOf(entry.name)) await ensureDirectory(dir);
      if (entry.type === 'directory') {
        await ensureDirectory(entry.name);
        continue;
      }
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
      const handle = await open(join(tempDir, ...entry.name.split('/')), flags, 0o644);
      try {
        if (entry.size > 0) {
          const range = createReadStream(tarPath, {
            start: entry.offset,
            end: entry.offset + entry.size - 1,
            highWaterMark: 1 << 20,
          });
          for await (const chunk of range) {
            const bytes: unknown = chunk;
            if (!Buffer.isBuffer(bytes)) throw new TypeError('unexpected chunk type from file stream');
            let done = 0;
            while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
          }
        }
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  const bagDir = bag.baseName === '' ? tempDir : join(tempDir, bag.baseName);
  return { tempDir, bagDir, cleanup };
}
