// Read-only access to a package, unpacked in a folder or read in place in its tar. Folder files are opened without
// following links and read with a size cap, so whatever a hostile folder holds, the verifier reads only regular
// files inside it and never too much at once; a tar has been checked against the archive rules before (see
// `openBagArchive`), and its files are byte ranges of it.
import { constants, createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readWhole, type OpenedBagArchive } from '#evx/bagit';

/** Payloads are read in 1 MiB chunks: fewer system calls and hash updates than the 64 KiB default. */
const READ_CHUNK = 1 << 20;

export interface PackageFiles {
  /** The file's bytes, or undefined when it does not exist; throws when it is not a regular file or too large. */
  read(path: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** Streams a payload file; undefined when it does not exist. */
  stream(path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Every regular file, bag-relative with forward slashes, sorted. */
  list(): Promise<string[]>;
}

/** An unpacked package. */
export class FolderPackageFiles implements PackageFiles {
  constructor(readonly dir: string) {}

  async read(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const handle = await this.openFile(path);
    if (handle === undefined) return undefined;
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async stream(path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const handle = await this.openFile(path);
    if (handle === undefined) return undefined;
    return createReadStream('', { fd: handle, autoClose: true, highWaterMark: READ_CHUNK });
  }

  /** Links are listed as-is, never followed. */
  async list(): Promise<string[]> {
    const files: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      for (const entry of await readdir(join(this.dir, relative), { withFileTypes: true })) {
        const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else files.push(path);
      }
    };
    await walk('');
    return files.sort();
  }

  private async openFile(path: string) {
    try {
      const handle = await open(join(this.dir, ...path.split('/')), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw new Error(`${path} is not a regular file`);
      }
      return handle;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** A package tar read in place. */
export class ArchivePackageFiles implements PackageFiles {
  constructor(readonly archive: OpenedBagArchive) {}

  async read(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const size = this.present(path);
    if (size === undefined) return undefined;
    if (size > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    return readWhole(this.archive.source, path, maxBytes);
  }

  async stream(path: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    return this.present(path) === undefined ? undefined : this.archive.source.open(path);
  }

  async list(): Promise<string[]> {
    return [...this.archive.source.files.keys()].sort();
  }

  /** The file's size; undefined when there is no such entry; throws for a directory, as a folder would. */
  private present(path: string): number | undefined {
    const size = this.archive.source.files.get(path);
    if (size === undefined && this.archive.source.directories.has(path)) {
      throw new Error(`${path} is not a regular file`);
    }
    return size;
  }
}
