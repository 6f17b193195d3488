// The baseline of the byte-moving figures: SHA-256 of the same bytes in this process, as fast as Node reads and
// hashes them. A figure at 1.0× would cost no more than hashing its bytes once.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Reads and hashes a file; returns MiB/s. */
export async function sha256FileThroughput(path: string, bytes: number): Promise<number> {
  const hash = createHash('sha256');
  const started = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  hash.digest();
  return mibPerSecond(bytes, performance.now() - started);
}

/** Hashes `bytes` produced in memory chunk by chunk (the ingest baseline: same generator, no network, no disk). */
export async function sha256StreamThroughput(bytes: number, chunks: () => AsyncIterable<Uint8Array>): Promise<number> {
  const hash = createHash('sha256');
  const started = performance.now();
  let seen = 0;
  for await (const chunk of chunks()) {
    hash.update(chunk);
    seen += chunk.length;
  }
  hash.digest();
  if (seen !== bytes) throw new Error(`baseline hashed ${seen} bytes, expected ${bytes}`);
  return mibPerSecond(bytes, performance.now() - started);
}

export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / 2 ** 20 / (ms / 1000);
}
