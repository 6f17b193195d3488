// A bag's file tree, whether it lives in a directory or inside a tar, so the validator has one code path.
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IssueList } from './bag.issue.js';
import type { FileRange, HashOutcome } from './checksum.pool.js';

export interface BagSource {
  /** Regular files by bag-relative path, with their sizes. */
  readonly files: ReadonlyMap<string, number>;
  /** Directories, explicit or implied by the files under them; '' is not included. */
  readonly directories: ReadonlySet<string>;
  open(path: string): AsyncIterable<Uint8Array>;
  /** Where the file's bytes lie, so another thread can read them (see checksum.pool.ts). */
  locate?(path: string): FileRange | undefined;
  /**
   * The outcome of hashing the file with exactly these algorithms when that was started already (see
   * checksum.ahead.ts), or undefined: then the validator hashes it.
   */
  hashedAhead?(path: string, algorithms: ReadonlySet<string>): Promise<HashOutcome> | undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Lists a directory bag without following symbolic links: a link (or device, socket, FIFO) is an error, because
 * validating what a link points to would let a bag vouch for files outside itself.
 */
export async function loadDirectorySource(root: string, issues: IssueList): Promise<BagSource> {
  const files = new Map<string, number>();
  const directories = new Set<string>();
  const walk = async (relative: string): Promise<void> => {
    const absolute = relative === '' ? root : join(root, ...relative.split('/'));
    const entries = await readdir(absolute, { withFileTypes: true, encoding: 'buffer' });
    for (const entry of entries) {
      let name: string;
      try {
        name = strictUtf8.decode(entry.name);
      } catch {
        const shown = JSON.stringify(entry.name.toString('latin1'));
        issues.error('invalid-file-name', `name ${shown} in "${relative || '.'}" is not valid UTF-8`, {
          file: relative || undefined,
        });
        continue;
      }
      const path = relative === '' ? name : `${relative}/${name}`;
      const stat = await lstat(join(absolute, name));
      if (stat.isDirectory()) {
        directories.add(path);
        await walk(path);
      } else if (stat.isFile()) {
        files.set(path, stat.size);
      } else {
        const kind = stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file or directory';
        issues.error('unsafe-file', `${kind}; bags may contain only regular files and directories`, { file: path });
      }
    }
  };
  await walk('');
  return {
    files,
    directories,
    open: (path) => readNoFollow(join(root, ...path.split('/'))),
    // To the end of the file, whatever its size was when listed, as `open` reads it.
    locate: (path) => ({
      file: join(root, ...path.split('/')),
      start: 0,
      length: Number.MAX_SAFE_INTEGER,
      noFollow: true,
    }),
  };
}

/** O_NOFOLLOW: should a file be swapped for a link after listing, opening it fails instead of escaping the bag. */
async function* readNoFollow(file: string): AsyncIterable<Uint8Array> {
  const handle = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(1 << 16);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Reads a whole (small) file, refusing more than `limit` bytes so a hostile tag file cannot exhaust memory. */
export async function readWhole(source: BagSource, path: string, limit: number): Promise<Buffer> {
  const size = source.files.get(path) ?? 0;
  if (size > limit) throw new RangeError(`${path} is ${size} bytes, more than the ${limit}-byte limit for tag files`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source.open(path)) {
    total += chunk.byteLength;
    if (total > limit) throw new RangeError(`${path} exceeds the ${limit}-byte limit for tag files`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
