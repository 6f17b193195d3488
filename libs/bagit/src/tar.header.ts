// The little of the tar format the reader still reads itself. tar-stream parses every entry, but it consumes
// extended headers (pax 'x' and 'g', GNU 'L', 'K', 'N') and zero blocks without reporting them, so the bytes between
// two reported entries are walked here to apply the safety rules to them (see tar.reader.ts).

export const BLOCK = 512;

/** Bytes of zero padding after `size` bytes of entry data. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

export function isZeroBlock(block: Uint8Array): boolean {
  return block.every((b) => b === 0);
}

/** Typeflag character of a header block. */
export function typeflagOf(block: Uint8Array): string {
  return String.fromCharCode(block[156] ?? 0);
}

/** The size field of a header block: octal, or GNU base-256 (high bit set); undefined if unreadable or unsafe. */
export function sizeOf(block: Buffer): number | undefined {
  const field = block.subarray(124, 136);
  const first = field[0] ?? 0;
  if ((first & 0x80) !== 0) {
    if (first !== 0x80) return undefined; // negative
    let value = 0;
    for (const byte of field.subarray(1)) {
      value = value * 256 + byte;
      if (!Number.isSafeInteger(value)) return undefined;
    }
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  const value = parseInt(text, 8);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Parses pax records strictly; undefined when the data is not well-formed records. tar-stream silently stops at
 * the first malformed record, while other readers fail or read on, so what they see as the name could differ.
 */
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
