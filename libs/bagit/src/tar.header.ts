// POSIX ustar headers (IEEE 1003.1-1988) with pax extended headers (1003.1-2001) for long or non-ASCII names and
// sizes of 8 GiB and more. Every field the writer emits is fixed here so the bytes are reproducible; the exact
// layout is described in libs/bagit/README.md.

export const BLOCK = 512;
/** Largest size the 11-digit octal field holds (8 GiB - 1); larger files get a pax "size" record. */
export const MAX_OCTAL_SIZE = 0o77777777777;
const NAME_FIELD = 100;

export type TarWriteType = 'file' | 'directory';

export interface TarWriteHeader {
  /** Full entry name as stored; directories end with '/'. */
  readonly name: string;
  readonly type: TarWriteType;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
}

/** Header block(s) for one entry: an optional pax header with its data, then the ustar header. */
export function encodeTarHeaders(entry: TarWriteHeader): Buffer {
  const nameBytes = Buffer.from(entry.name, 'utf8');
  const records: Array<[string, string]> = [];
  const asciiOnly = nameBytes.every((b) => b < 0x80);
  if (nameBytes.length > NAME_FIELD || !asciiOnly) records.push(['path', entry.name]);
  if (entry.size > MAX_OCTAL_SIZE) records.push(['size', String(entry.size)]);

  const mode = entry.type === 'directory' ? 0o755 : 0o644;
  const typeflag = entry.type === 'directory' ? '5' : '0';
  const parts: Buffer[] = [];
  if (records.length > 0) {
    const pax = encodePaxRecords(records);
    parts.push(ustarBlock('PaxHeader', 0o644, pax.length, entry.mtime, 'x'));
    parts.push(pax, Buffer.alloc(padding(pax.length)));
  }
  // Pax-unaware readers fall back to this name: non-ASCII bytes become '_' and the result is cut at 100 bytes.
  const fallback = Buffer.from(nameBytes.map((b) => (b < 0x80 ? b : 0x5f))).subarray(0, NAME_FIELD);
  const size = entry.size > MAX_OCTAL_SIZE ? 0 : entry.size;
  parts.push(ustarBlock(fallback, mode, size, entry.mtime, typeflag));
  return Buffer.concat(parts);
}

/** Two zero blocks mark the end of the archive. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

/** Bytes of zero padding after `size` bytes of entry data. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

function ustarBlock(name: string | Buffer, mode: number, size: number, mtime: number, typeflag: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  (typeof name === 'string' ? Buffer.from(name, 'ascii') : name).copy(block, 0);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.write(typeflag, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  // uname and gname stay empty (all NUL) so the bytes do not depend on the account that ran the writer.
  writeOctal(block, 329, 8, 0); // devmajor
  writeOctal(block, 337, 8, 0); // devminor
  writeChecksum(block);
  return block;
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`tar field value ${value} out of range`);
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) throw new RangeError(`tar field value ${value} does not fit ${width - 1} digits`);
  block.write(`${digits}\0`, offset, 'ascii');
}

function writeChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  const sum = block.reduce((acc, b) => acc + b, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
}

/** "<length> <key>=<value>\n" records, where length counts the whole record including its own digits. */
export function encodePaxRecords(records: ReadonlyArray<readonly [string, string]>): Buffer {
  const out: Buffer[] = [];
  for (const [key, value] of records) {
    const body = Buffer.from(` ${key}=${value}\n`, 'utf8');
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    out.push(Buffer.from(String(length), 'ascii'), body);
  }
  return Buffer.concat(out);
}

/** One parsed header block, before pax or GNU long-name overrides are applied. */
export interface RawTarHeader {
  readonly name: Buffer;
  readonly typeflag: string;
  readonly size: number;
  readonly linkname: Buffer;
}

export type HeaderParse =
  { kind: 'end' } | { kind: 'header'; header: RawTarHeader } | { kind: 'error'; reason: string };

/** Parses one 512-byte block; a block of zeros is the end-of-archive marker. */
export function parseTarHeader(block: Buffer): HeaderParse {
  if (block.every((b) => b === 0)) return { kind: 'end' };
  const stored = parseOctal(block.subarray(148, 156));
  const probe = Buffer.from(block);
  probe.fill(0x20, 148, 156);
  const unsigned = probe.reduce((acc, b) => acc + b, 0);
  // Some historic writers summed signed chars; accepting that costs nothing and rejects no real damage.
  const signed = probe.reduce((acc, b) => acc + (b > 127 ? b - 256 : b), 0);
  if (stored === undefined || (stored !== unsigned && stored !== signed)) {
    return { kind: 'error', reason: 'header checksum mismatch (not a tar archive, or corrupted)' };
  }
  const magic = block.toString('latin1', 257, 263);
  const ustar = magic === 'ustar\0' || magic === 'ustar ';
  const size = parseNumeric(block.subarray(124, 136));
  if (size === undefined) return { kind: 'error', reason: 'unreadable size field' };
  let name = cString(block.subarray(0, 100));
  if (ustar && magic === 'ustar\0') {
    const prefix = cString(block.subarray(345, 500));
    if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
  }
  const typeflag = block.toString('latin1', 156, 157);
  return { kind: 'header', header: { name, typeflag, size, linkname: cString(block.subarray(157, 257)) } };
}

function cString(field: Buffer): Buffer {
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end));
}

function parseOctal(field: Buffer): number | undefined {
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  const value = parseInt(text, 8);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Octal, or GNU base-256 (high bit set) for large values; negative or unsafe values are refused. */
function parseNumeric(field: Buffer): number | undefined {
  const first = field[0] ?? 0;
  if ((first & 0x80) === 0) return parseOctal(field);
  if (first !== 0x80) return undefined;
  let value = 0;
  for (const byte of field.subarray(1)) {
    value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) return undefined;
  }
  return value;
}

/** Parses pax records; undefined when the data is not well-formed records. */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> | undefined {
  const out = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) return undefined;
    const lengthText = data.toString('ascii', offset, space);
    if (!/^[1-9][0-9]*$/.test(lengthText)) return undefined;
    const end = offset + Number(lengthText);
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a) return undefined;
    const record = data.subarray(space + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) return undefined;
    // Values stay bytes: names are decoded strictly by the caller, so invalid UTF-8 is refused, not replaced.
    out.set(record.toString('utf8', 0, eq), Buffer.from(record.subarray(eq + 1)));
    offset = end;
  }
  return out;
}
