// Payloads of unknown length cannot go into a tar before their size is known; they are copied to a private
// temporary file first (hashing on the way), so memory never grows with the payload.
import { constants, createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BagWriteError } from './bag.errors.js';
import type { MultiHasher } from './checksum.util.js';

export interface Spool {
  read(): AsyncIterable<Uint8Array>;
  dispose(): Promise<void>;
}

export async function spoolToTempFile(
  source: AsyncIterable<unknown>,
  hasher: MultiHasher,
  parent: string = tmpdir(),
): Promise<Spool> {
  const dir = await mkdtemp(join(parent, 'evx-bag-spool-'));
  const file = join(dir, 'payload');
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      for await (const chunk of source) {
        if (!(chunk instanceof Uint8Array)) throw new BagWriteError('payload sources must yield Uint8Array chunks');
        hasher.update(chunk);
        let offset = 0;
        while (offset < chunk.byteLength) {
          offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
        }
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { read: () => createReadStream(file), dispose };
}
