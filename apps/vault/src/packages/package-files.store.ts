// Where the vault keeps evidence bytes: <dataDir>/vault/packages/<packageId>/records/<file> for payloads and
// <dataDir>/vault/packages/<packageId>/package.tar for the built file. Every file is written under a fresh name,
// fsynced (and its folder fsynced) before the database points at it, so a row never names bytes a crash could lose.
import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export class PackageFiles {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'vault', 'packages');
  }

  folder(packageId: string): string {
    return join(this.root, packageId);
  }

  recordsFolder(packageId: string): string {
    return join(this.folder(packageId), 'records');
  }

  packageFile(packageId: string): string {
    return join(this.folder(packageId), 'package.tar');
  }

  async ensureFolders(packageId: string): Promise<void> {
    await mkdir(this.recordsFolder(packageId), { recursive: true });
  }

  /**
   * A new payload file for one record of one stream: `<seq>-<random>.bin`, so two streams never share a file. The
   * records folder is made by BeginPackage (`ensureFolders`), and again here if it is missing.
   */
  async createPayload(packageId: string, sequenceNumber: number): Promise<PayloadWriter> {
    const name = `${String(sequenceNumber).padStart(8, '0')}-${randomBytes(6).toString('hex')}.bin`;
    const path = join(this.recordsFolder(packageId), name);
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await this.ensureFolders(packageId);
      handle = await open(path, 'wx');
    }
    return new PayloadWriter(name, path, handle, this.recordsFolder(packageId));
  }

  /** fsync of a package's records folder: the names of the payload files synced before survive a crash. */
  syncRecordsFolder(packageId: string): Promise<void> {
    return syncFolder(this.recordsFolder(packageId));
  }

  openPayload(packageId: string, file: string): ReadStream {
    return createReadStream(join(this.recordsFolder(packageId), file), { highWaterMark: 1024 * 1024 });
  }

  /** A temporary path for a package file being built; `publishPackage` moves it into place. */
  tempPackagePath(packageId: string): string {
    return join(this.folder(packageId), `package.tar.${randomBytes(6).toString('hex')}.part`);
  }

  /** fsyncs the built file, renames it to package.tar and fsyncs the folder. */
  async publishPackage(packageId: string, tempPath: string): Promise<void> {
    const handle = await open(tempPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, this.packageFile(packageId));
    await syncFolder(this.folder(packageId));
  }

  async packageFileSize(packageId: string): Promise<number> {
    return (await stat(this.packageFile(packageId))).size;
  }

  async openPackageFile(packageId: string): Promise<FileHandle> {
    return open(this.packageFile(packageId), 'r');
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}

/**
 * A small payload kept in memory until its record's row stores it: nothing to fsync, the row's commit makes it
 * durable (the store writes `payload`, the file name stays '').
 */
export class InlinePayload {
  readonly name = '';
  private chunks: Buffer[] = [];

  async write(chunk: Uint8Array): Promise<void> {
    // Copied: the chunk's buffer belongs to the gRPC message it came in.
    this.chunks.push(Buffer.from(chunk));
  }

  bytes(): Uint8Array {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
  }

  async commit(): Promise<void> {}

  async discard(): Promise<void> {
    this.chunks = [];
  }
}

/** One record's payload on its way to disk; `write` resolves when the bytes are in the file (backpressure). */
export class PayloadWriter {
  private closed = false;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly folder: string,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    let done = 0;
    while (done < chunk.length) done += (await this.handle.write(chunk, done, chunk.length - done)).bytesWritten;
  }

  /** fsync of the file and of its folder: after this the record survives a crash. */
  async commit(): Promise<void> {
    await this.handle.sync();
    await this.close();
    await syncFolder(this.folder);
  }

  /** fsync of the file only, then closes it; the folder is synced once for a group of files (`syncRecordsFolder`). */
  async syncFile(): Promise<void> {
    await this.handle.sync();
    await this.close();
  }

  /** Closes and deletes the file (a record cut off, rejected, or lost to a concurrent stream). */
  async discard(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
