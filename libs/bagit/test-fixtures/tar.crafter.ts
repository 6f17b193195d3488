// Builds raw tar archives for the hostile-archive specs, independently of the library's own tar code, so that a
// bug shared by writer and reader cannot hide. Not part of the library.
import { createHash } from 'node:crypto';

export interface RawEntry {
  /** Stored as-is in the 100-byte name field (must fit). */
  readonly name: string | Buffer;
  /** Typeflag character; default '0' (regular file). */
  readonly type?: string;
  readonly data?: string | Buffer;
  readonly linkname?: string;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

export function rawHeader(entry: RawEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  const name = typeof entry.name === 'string' ? Buffer.from(entry.name, 'utf8') : entry.name;
  if (name.length > 100) throw new Error('crafted names must fit the 100-byte field');
  name.copy(block, 0);
  block.write(octal(entry.type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(1700000000, 12), 136, 'ascii');
  block.write(entry.type ?? '0', 156, 'ascii');
  block.write(entry.linkname ?? '', 157, 'utf8');
  block.write('ustar\0' + '00', 257, 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

export function craftTar(entries: readonly RawEntry[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : (entry.data ?? Buffer.alloc(0));
    parts.push(rawHeader(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (options.end ?? true) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A pax record, "<len> key=value\n", length computed the long way round. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  for (let digits = 1; ; digits++) {
    const total = Buffer.byteLength(body) + digits;
    if (String(total).length === digits) return `${total}${body}`;
  }
}

/** A minimal valid v1.0 bag under "bag/". */
export function validBagEntries(): RawEntry[] {
  const payload = 'hello\n';
  const digest = createHash('sha256').update(payload).digest('hex');
  return [
    { name: 'bag/', type: '5' },
    { name: 'bag/bagit.txt', data: 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' },
    { name: 'bag/data/', type: '5' },
    { name: 'bag/data/a.txt', data: payload },
    { name: 'bag/manifest-sha256.txt', data: `${digest}  data/a.txt\n` },
  ];
}
