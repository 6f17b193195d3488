// Read-only access to an unpacked package. Files are opened without following links and read with a size cap,
// so whatever a hostile folder holds, the verifier reads only regular files inside it and never too much at once.
import { constants, createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export class PackageFiles {
  constructor(readonly dir: string) {}

  /** The file's bytes, or undefined when it does not exist; throws when it is not a regular file or too large. */
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

  /** Streams a payload file; undefined when it does not exist. */
  async stream(path: string): Promise<AsyncIterable<Buffer> | undefined> {
    const handle = await this.openFile(path);
    if (handle === undefined) return undefined;
    return createReadStream('', { fd: handle, autoClose: true });
  }

  /** Every regular file, bag-relative with forward slashes, sorted. Links are listed as-is, never followed. */
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
