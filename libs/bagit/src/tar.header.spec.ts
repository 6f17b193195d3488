import {
  BLOCK,
  MAX_OCTAL_SIZE,
  encodePaxRecords,
  encodeTarHeaders,
  parsePaxRecords,
  parseTarHeader,
} from './tar.header.js';

describe('tar headers', () => {
  it('encodes the documented ustar fields', () => {
    const block = encodeTarHeaders({ name: 'bag/bagit.txt', type: 'file', size: 55, mtime: 1714979289 });
    expect(block.length).toBe(BLOCK);
    const field = (from: number, to: number) => block.toString('latin1', from, to);
    expect(field(0, 14)).toBe('bag/bagit.txt\0');
    expect(field(100, 108)).toBe('0000644\0');
    expect(field(108, 124)).toBe('0000000\u00000000000\0');
    expect(field(124, 136)).toBe('00000000067\0');
    expect(field(136, 148)).toBe(`${(1714979289).toString(8)}\0`);
    expect(field(156, 157)).toBe('0');
    expect(field(257, 265)).toBe('ustar\u000000');
    expect(block.subarray(265, 329).every((b) => b === 0)).toBe(true); // uname, gname
    expect(field(329, 345)).toBe('0000000\u00000000000\0');
    expect(block.subarray(345).every((b) => b === 0)).toBe(true); // prefix, padding
    const sum = [...block].reduce((acc, b, i) => acc + (i >= 148 && i < 156 ? 0x20 : b), 0);
    expect(field(148, 156)).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
  });

  it('marks directories with mode 0755 and typeflag 5', () => {
    const block = encodeTarHeaders({ name: 'bag/data/', type: 'directory', size: 0, mtime: 0 });
    expect(block.toString('latin1', 100, 108)).toBe('0000755\0');
    expect(block.toString('latin1', 156, 157)).toBe('5');
  });

  it('moves long and non-ASCII names and huge sizes into a pax header', () => {
    const name = `bag/data/${'x'.repeat(120)}/ü.bin`;
    const size = MAX_OCTAL_SIZE + 1;
    const bytes = encodeTarHeaders({ name, type: 'file', size, mtime: 0 });
    expect(bytes.length).toBe(3 * BLOCK);
    const pax = parseTarHeader(bytes.subarray(0, BLOCK));
    expect(pax).toMatchObject({ kind: 'header', header: { typeflag: 'x' } });
    const paxSize = pax.kind === 'header' ? pax.header.size : 0;
    const records = parsePaxRecords(bytes.subarray(BLOCK, BLOCK + paxSize));
    expect(records?.get('path')?.toString('utf8')).toBe(name);
    expect(records?.get('size')?.toString('ascii')).toBe(String(size));
    const main = parseTarHeader(bytes.subarray(2 * BLOCK));
    expect(main).toMatchObject({ kind: 'header', header: { size: 0, typeflag: '0' } });
    // the fallback name: non-ASCII bytes become '_', cut at 100 bytes
    expect(main.kind === 'header' ? main.header.name.toString('latin1') : '').toBe(`bag/data/${'x'.repeat(91)}`);
  });

  it.each([1, 5, 90, 91, 92, 993, 994, 995, 9990])('pax record lengths are self-consistent (%d-byte value)', (n) => {
    const record = encodePaxRecords([['path', 'a'.repeat(n)]]);
    expect(Number(record.toString('ascii').split(' ')[0])).toBe(record.length);
    expect(parsePaxRecords(record)?.get('path')?.length).toBe(n);
  });

  it('rejects malformed pax data and bad checksums', () => {
    expect(parsePaxRecords(Buffer.from('99 path=x\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('garbage'))).toBeUndefined();
    const block = encodeTarHeaders({ name: 'a', type: 'file', size: 1, mtime: 0 });
    block[0] = 0x62;
    expect(parseTarHeader(block)).toMatchObject({ kind: 'error' });
    expect(parseTarHeader(Buffer.alloc(BLOCK))).toEqual({ kind: 'end' });
  });

  it('refuses values that do not fit', () => {
    expect(() => encodeTarHeaders({ name: 'a', type: 'file', size: 1, mtime: 0o77777777777 + 1 })).toThrow(RangeError);
    expect(() => encodeTarHeaders({ name: 'a', type: 'file', size: -1, mtime: 0 })).toThrow(RangeError);
  });
});
