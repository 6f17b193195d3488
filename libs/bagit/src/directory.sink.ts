// Writes bag entries into a fresh directory. It only ever creates (never opens existing) files and directories,
// so a path that was somehow not fresh fails instead of overwriting or following a link.
import { constants } from 'node:fs';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BagWriteError } from './bag.errors.js';
import type { BagSink } from './bag.sink.js';

export class DirectorySink implements BagSink {
  readonly needsSize = false;
  private handle: FileHandle | undefined;

  private constructor(
    private readonly root: string,
    private readonly mtime: Date,
  ) {}

  /** Creates `root` (its parent must exist, `root` itself must not). */
  static async create(root: string, mtime: Date): Promise<DirectorySink> {
    await mkdir(root, { mode: 0o755 });
    return new DirectorySink(root, mtime);
  }

  async directory(path: string): Promise<void> {
    if (path !== '') await mkdir(this.resolve(path), { mode: 0o755 });
  }

  async beginFile(path: string): Promise<void> {
    if (this.handle) throw new BagWriteError('previous file not finished');
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
    this.handle = await open(this.resolve(path), flags, 0o644);
  }

  async write(chunk: Uint8Array): Promise<void> {
    const handle = this.requireHandle();
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
  }

  async endFile(): Promise<void> {
    const handle = this.requireHandle();
    this.handle = undefined;
    try {
      // Same timestamp as the tar entries, so a directory bag tarred by hand can reproduce them.
      await handle.utimes(this.mtime, this.mtime);
    } finally {
      await handle.close();
    }
  }

  async finish(): Promise<void> {
    if (this.handle) throw new BagWriteError('a file is still open');
  }

  async abort(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    // The writer created `root` itself, so removing it cannot touch anything that existed before.
    await rm(this.root, { recursive: true, force: true }).catch(() => undefined);
  }

  private resolve(path: string): string {
    return join(this.root, ...path.split('/'));
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new BagWriteError('no file is open');
    return this.handle;
  }
}
