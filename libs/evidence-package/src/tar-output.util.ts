// Where a package tar goes: a new file or a caller's stream, hashed on the way so the file's SHA-256 and size
// (evx.v1.PackageFile) are known without reading it back.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface TarOutput {
  /** What the bag writer writes to; ending it completes the output. */
  readonly stream: Writable;
  /** Waits until everything is written; the tar's size and lowercase hex SHA-256. */
  done(): Promise<{ size: number; sha256: string }>;
  /** Abandons the output; a file created here is removed. */
  fail(): Promise<void>;
}

export async function openTarOutput(out: string | Writable): Promise<TarOutput> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const target = typeof out === 'string' ? await createExclusive(out) : out;
  const piped = pipeline(tap, target);
  piped.catch(() => undefined); // awaited in done(); a failure there is reported by whoever awaits it
  return {
    stream: tap,
    done: async () => {
      await piped;
      return { size, sha256: hash.digest('hex') };
    },
    fail: async () => {
      tap.destroy();
      if (typeof out === 'string') await unlink(out).catch(() => undefined);
    },
  };
}

/** Creates `file`, refusing to overwrite one that exists. */
async function createExclusive(file: string): Promise<Writable> {
  const stream = createWriteStream(file, { flags: 'wx', mode: 0o644 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}
