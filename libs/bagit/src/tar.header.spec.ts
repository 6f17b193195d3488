// The header bytes the writer gets from tar-stream (the fields README.md documents), and the small header reading
// the archive reader still does itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_GNU_TAR, MemorySink, SAMPLE_OPTIONS, writeSampleBag } from '../test-fixtures/bag.helpers.js';
import { rawHeader } from '../test-fixtures/tar.crafter.js';
import { validateBag } from './bag.validator.js';
import { BagWriter } from './bag.writer.js';
import { BLOCK, parsePaxRecords, sizeOf } from './tar.header.js';
import { TarSink } from './tar.sink.js';

const MTIME = 1714979289;

/** Lets tar-stream push what it has to the output. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const field = (block: Buffer, from: number, to: number): string => block.toString('latin1', from, to);

function checksumOk(block: Buffer): boolean {
  const sum = [...block].reduce((acc, b, i) => acc + (i >= 148 && i < 156 ? 0x20 : b), 0);
  return field(block, 148, 156) === `${sum.toString(8).padStart(6, '0')} \0`;
}

describe('tar headers written through tar-stream', () => {
  it('encodes the documented ustar fields', async () => {
    const out = new MemorySink();
    const sink = new TarSink(out, 'bag', MTIME);
    await sink.beginFile('bagit.txt', 55);
    await sink.write(Buffer.alloc(55, 0x61));
    await sink.endFile();
    await sink.finish();
    const block = out.bytes.subarray(0, BLOCK);
    expect(field(block, 0, 14)).toBe('bag/bagit.txt\0');
    expect(field(block, 100, 108)).toBe('000644 \0');
    expect(field(block, 108, 124)).toBe('000000 \u0000000000 \0');
    expect(field(block, 124, 136)).toBe('00000000067 ');
    expect(field(block, 136, 148)).toBe(`${MTIME.toString(8)} `);
    expect(field(block, 156, 157)).toBe('0');
    expect(block.subarray(157, 257).every((b) => b === 0)).toBe(true); // linkname
    expect(field(block, 257, 265)).toBe('ustar\u000000');
    expect(block.subarray(265, 329).every((b) => b === 0)).toBe(true); // uname, gname
    expect(field(block, 329, 345)).toBe('000000 \u0000000000 \0');
    expect(block.subarray(345).every((b) => b === 0)).toBe(true); // prefix, padding
    expect(checksumOk(block)).toBe(true);
    // data padded to 512, then exactly two zero blocks
    expect(out.bytes.length).toBe(BLOCK + BLOCK + 2 * BLOCK);
    expect(out.bytes.subarray(BLOCK + 55).every((b) => b === 0)).toBe(true);
  });

  it('marks directories with mode 0755 and typeflag 5', async () => {
    const out = new MemorySink();
    const sink = new TarSink(out, 'bag', 0);
    await sink.directory('data');
    await sink.finish();
    expect(field(out.bytes, 0, 10)).toBe('bag/data/\0');
    expect(field(out.bytes, 100, 108)).toBe('000755 \0');
    expect(field(out.bytes, 124, 136)).toBe('00000000000 ');
    expect(field(out.bytes, 156, 157)).toBe('5');
  });

  it('moves long and non-ASCII names and huge sizes into a pax header', async () => {
    const out = new MemorySink();
    const sink = new TarSink(out, 'bag', 0);
    const path = `data/${'x'.repeat(120)}/ü.bin`;
    const size = 0o77777777777 + 1;
    await sink.beginFile(path, size); // only the headers are written; the entry is abandoned below
    await settle();
    const bytes = out.bytes;
    expect(bytes.length).toBe(3 * BLOCK);
    const pax = bytes.subarray(0, BLOCK);
    expect(field(pax, 0, 10)).toBe('PaxHeader\0');
    expect(field(pax, 156, 157)).toBe('x');
    expect(checksumOk(pax)).toBe(true);
    const records = parsePaxRecords(bytes.subarray(BLOCK, BLOCK + (sizeOf(pax) ?? 0)));
    expect([...(records?.keys() ?? [])]).toEqual(['path', 'size']);
    expect(records?.get('path')?.toString('utf8')).toBe(`bag/${path}`);
    expect(records?.get('size')?.toString('ascii')).toBe(String(size));
    const main = bytes.subarray(2 * BLOCK);
    expect(field(main, 0, 10)).toBe('PaxHeader\0');
    expect(field(main, 156, 157)).toBe('0');
    expect(sizeOf(main)).toBe(size); // GNU base-256 in the header itself
    expect(main[124]).toBe(0x80);
    await sink.abort(new Error('test over'));
  });

  it('puts an mtime after 2038-01-19 in a pax record, keeping the last encodable second in the header', async () => {
    const out = new MemorySink();
    const mtime = Date.UTC(2100, 0, 1) / 1000;
    const sink = new TarSink(out, 'bag', mtime);
    await sink.directory('');
    await sink.finish();
    const records = parsePaxRecords(out.bytes.subarray(BLOCK, BLOCK + (sizeOf(out.bytes) ?? 0)));
    expect(records?.get('mtime')?.toString('ascii')).toBe(String(mtime));
    expect(field(out.bytes.subarray(2 * BLOCK), 136, 148)).toBe('17777777777 ');
  });

  (HAVE_GNU_TAR ? it : it.skip)('GNU tar reads a bag dated 2100 with its real date', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-2100-'));
    try {
      const archive = join(scratch, 'bag.tar');
      const baggingDate = new Date('2100-01-02T03:04:05Z');
      await writeSampleBag(await BagWriter.toTarFile(archive, { ...SAMPLE_OPTIONS, baggingDate, baseName: 'B' }));
      const listing = spawnSync('tar', ['--utc', '--numeric-owner', '-tvf', archive], { encoding: 'utf8' });
      expect(listing.status).toBe(0);
      expect(listing.stderr).toBe('');
      for (const row of listing.stdout.trim().split('\n')) expect(row).toMatch(/ 2100-01-02 03:04 /);
      expect((await validateBag(archive)).valid).toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('header reading left to the library', () => {
  it('reads octal and base-256 sizes, refusing negative and unsafe ones', () => {
    expect(sizeOf(rawHeader({ name: 'a' }, 55))).toBe(55);
    const block = Buffer.alloc(BLOCK);
    block.write('00000000067 ', 124, 'latin1');
    expect(sizeOf(block)).toBe(55);
    block.fill(0, 124, 136);
    expect(sizeOf(block)).toBe(0);
    block[124] = 0x80;
    block[135] = 1;
    expect(sizeOf(block)).toBe(1);
    block[124] = 0xff;
    expect(sizeOf(block)).toBeUndefined();
    block.fill(0xff, 124, 136);
    block[124] = 0x80;
    expect(sizeOf(block)).toBeUndefined();
    block.write('0000000009x ', 124, 'latin1');
    expect(sizeOf(block)).toBeUndefined();
  });

  it.each([1, 5, 90, 91, 92, 993, 994, 995, 9990])('reads pax records with %d-byte values', (n) => {
    const value = 'a'.repeat(n);
    const body = ` path=${value}\n`;
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    expect(parsePaxRecords(Buffer.from(`${length}${body}`))?.get('path')?.length).toBe(n);
  });

  it('rejects malformed pax data', () => {
    expect(parsePaxRecords(Buffer.from('99 path=x\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('8 path=x\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('10 path=x '))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('7 =xyz\n'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('garbage'))).toBeUndefined();
    expect(parsePaxRecords(Buffer.from('10 path=x\n10 size=1\n'))?.get('size')?.toString()).toBe('1');
  });
});
