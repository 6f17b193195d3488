// Helpers shared by the bagit specs. Not part of the library.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { BagWriter, type BagSummary, type BagWriterOptions } from '../src/bag.writer.js';
import { craftTar } from './tar.crafter.js';

export const FIXED_DATE = new Date('2024-05-06T07:08:09Z');

/** Collects everything written to it, for hashing tar output without touching the disk. */
export class MemorySink extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncIterable<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One sample evidence package, used by several specs; `knownSizes` false streams every payload without a size. */
export async function writeSampleBag(writer: BagWriter, knownSizes = true): Promise<BagSummary> {
  const payloads: Array<[string, string]> = [
    ['data/call-records/2024-05.csv', 'caller,callee,start\n+3611,+3622,2024-05-01T10:00:00Z\n'],
    ['data/call-records/notes 100%.txt', 'percent sign in the name\n'],
    ['data/empty.bin', ''],
    ['data/résumé.txt', 'non-ASCII name\n'],
  ];
  for (const [path, text] of payloads) {
    const bytes = Buffer.from(text, 'utf8');
    await writer.addPayload(
      path,
      chunksOf(bytes.subarray(0, 7), bytes.subarray(7)),
      knownSizes ? bytes.length : undefined,
    );
  }
  writer.addTagFile('evx/signatures/authority.sig', Buffer.from('signature bytes\n'));
  writer.addTagFile('evx/order.json', Buffer.from('{"order":"ORD-1"}\n'));
  return writer.finish();
}

export const SAMPLE_OPTIONS: BagWriterOptions = {
  baggingDate: FIXED_DATE,
  bagInfo: [
    ['Source-Organization', 'Example Telecom'],
    ['External-Identifier', 'ORD-1'],
  ],
};

/** GNU tar on PATH: the specs use it as the independent "standard tool" (its flags and listing format). */
export const HAVE_GNU_TAR = ((): boolean => {
  const probe = spawnSync('tar', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('GNU tar');
})();

/**
 * The files of a BagIt 1.0 bag holding `data` (paths under data/), with SHA-256 and SHA-512 payload manifests; with
 * `tamper`, that file's middle byte flipped after the manifests were made.
 */
export function manifestedBagFiles(data: Record<string, Buffer>, tamper?: string): Record<string, Buffer> {
  const manifest = (algorithm: string): Buffer =>
    Buffer.from(
      Object.entries(data)
        .map(([path, bytes]) => `${createHash(algorithm).update(bytes).digest('hex')}  ${path}\n`)
        .join(''),
    );
  const files: Record<string, Buffer> = {
    'bagit.txt': Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'),
    'manifest-sha256.txt': manifest('sha256'),
    'manifest-sha512.txt': manifest('sha512'),
    ...data,
  };
  if (tamper !== undefined) {
    const copy = Buffer.from(files[tamper] as Buffer);
    copy[Math.floor(copy.length / 2)] ^= 1;
    files[tamper] = copy;
  }
  return files;
}

/** Writes `files` as `<dir>/bag.tar`, a tar of one bag folder named bag/; returns its path. */
export function writeBagTar(dir: string, files: Record<string, Buffer>): string {
  const tar = join(dir, 'bag.tar');
  const dirs = [
    { name: 'bag/', type: '5' },
    { name: 'bag/data/', type: '5' },
  ];
  writeFileSync(tar, craftTar([...dirs, ...Object.entries(files).map(([p, data]) => ({ name: `bag/${p}`, data }))]));
  return tar;
}
