// Streams bag entries into a tar archive on any Writable, honouring back-pressure so memory stays flat.
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BagWriteError } from './bag.errors.js';
import type { BagSink } from './bag.sink.js';
import { encodeTarHeaders, endOfArchive, padding } from './tar.header.js';

export class TarSink implements BagSink {
  readonly needsSize = true;
  private failure: Error | undefined;
  private expected = 0;
  private written = 0;
  private inFile = false;

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
  }

  async directory(path: string): Promise<void> {
    const name = path === '' ? `${this.baseName}/` : `${this.baseName}/${path}/`;
    await this.push(encodeTarHeaders({ name, type: 'directory', size: 0, mtime: this.mtime }));
  }

  async beginFile(path: string, size: number | undefined): Promise<void> {
    if (size === undefined) throw new BagWriteError('tar entries need their size before their data');
    if (this.inFile) throw new BagWriteError('previous tar entry not finished');
    const header = encodeTarHeaders({ name: `${this.baseName}/${path}`, type: 'file', size, mtime: this.mtime });
    await this.push(header);
    this.expected = size;
    this.written = 0;
    this.inFile = true;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.written + chunk.byteLength > this.expected) {
      throw new BagWriteError(`entry data exceeds the declared size of ${this.expected} bytes`);
    }
    this.written += chunk.byteLength;
    await this.push(chunk);
  }

  async endFile(): Promise<void> {
    if (this.written !== this.expected) {
      throw new BagWriteError(`entry has ${this.written} bytes but its header declared ${this.expected}`);
    }
    this.inFile = false;
    const pad = padding(this.expected);
    if (pad > 0) await this.push(Buffer.alloc(pad));
  }

  async finish(): Promise<void> {
    await this.push(endOfArchive());
    this.out.end();
    await finished(this.out);
    if (this.failure) throw this.failure;
  }

  async abort(reason: Error): Promise<void> {
    this.failure ??= reason;
    // Destroying marks the output as broken for whoever consumes it, so a truncated archive is not mistaken
    // for a complete one; the consumer sees the error.
    if (!this.out.destroyed) this.out.destroy(reason);
  }

  private async push(bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out.destroyed || this.out.writableEnded) throw new BagWriteError('tar output is closed');
    if (this.out.write(bytes)) return;
    await new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        this.out.off('drain', onDrain);
        this.out.off('error', onError);
        this.out.off('close', onClose);
      };
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onClose = (): void => {
        cleanup();
        reject(this.failure ?? new BagWriteError('tar output closed while writing'));
      };
      this.out.on('drain', onDrain);
      this.out.on('error', onError);
      this.out.on('close', onClose);
    });
  }
}
