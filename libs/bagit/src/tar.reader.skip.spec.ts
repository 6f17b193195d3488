// The indexer feeds the data of large files to tar-stream as zeros instead of reading it (tar.reader.ts, `feed`).
// Whatever the archive, that must give exactly the index of reading every byte: here with every file's data skipped
// (minSkip 1), on sound archives and on the hostile ones of tar.archive.spec.ts, plus ones built to mislead the
// prediction of where data lies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { craftTar, paxRecord, rawHeader, validBagEntries, type RawEntry } from '../test-fixtures/tar.crafter.js';
import { DEFAULT_TAR_LIMITS, indexTarArchive } from './tar.reader.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-skip-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function writeTar(bytes: Buffer): string {
  const file = join(scratch, `a${counter++}.tar`);
  writeFileSync(file, bytes);
  return file;
}

const base = validBagEntries();
const big = (name: string, size: number, fill = 0x61): RawEntry => ({ name, data: Buffer.alloc(size, fill) });
const withBig = (...extra: RawEntry[]): Buffer => craftTar([...base, big('bag/data/big.bin', 5000), ...extra]);

/** A header whose size field says `size` but whose data is `data` (for lying headers). */
function lyingEntry(name: string, size: number, data: Buffer): Buffer {
  return Buffer.concat([rawHeader({ name }, size), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const CASES: Array<[string, () => Buffer]> = [
  ['a sound bag', () => withBig()],
  ['data that looks like headers and end markers', () => withBig(big('bag/data/zeros.bin', 4096, 0))],
  [
    'data holding a whole tar',
    () => withBig({ name: 'bag/data/inner.tar', data: craftTar([{ name: 'x', data: 'y' }]) }),
  ],
  [
    'pax size override',
    () =>
      craftTar([
        ...base,
        { name: 'PaxHeader', type: 'x', data: paxRecord('size', '700') },
        { name: 'bag/data/p.bin', data: Buffer.alloc(700, 1) },
      ]),
  ],
  [
    'pax size override that disagrees with the header',
    () =>
      Buffer.concat([
        craftTar([...base, { name: 'PaxHeader', type: 'x', data: paxRecord('size', '1024') }], { end: false }),
        lyingEntry('bag/data/p.bin', 10, Buffer.alloc(1024, 2)),
        Buffer.alloc(1024),
      ]),
  ],
  [
    'pax path',
    () => withBig({ name: 'PaxHeader', type: 'x', data: paxRecord('path', 'bag/data/long') }, big('x', 600)),
  ],
  ['GNU long name', () => withBig({ name: '././@LongLink', type: 'L', data: 'bag/data/gnu\0' }, big('y', 900))],
  ['old V7 regular file', () => withBig({ name: 'bag/data/v7', type: '\0', data: Buffer.alloc(800, 3) })],
  ['typeflag 0 with a directory name', () => withBig({ name: 'bag/data/d/', type: '0', data: Buffer.alloc(600, 3) })],
  ['directory entry with data', () => withBig({ name: 'bag/data/d/', type: '5', data: Buffer.alloc(600, 4) })],
  ['symlink after a big file', () => withBig({ name: 'bag/data/link', type: '2', linkname: '/etc/passwd' })],
  ['duplicate big file', () => withBig(big('bag/data/big.bin', 3000))],
  ['truncated inside big data', () => withBig().subarray(0, 512 * 8 + 1000)],
  [
    'size running past the end',
    () => Buffer.concat([craftTar(base, { end: false }), lyingEntry('bag/data/z', 1e6, Buffer.alloc(10))]),
  ],
  [
    'header lying short: data read as headers',
    () =>
      Buffer.concat([
        craftTar(base, { end: false }),
        lyingEntry(
          'bag/data/short',
          512,
          Buffer.concat([Buffer.alloc(512, 5), craftTar([{ name: 'bag/data/h', data: 'x' }])]),
        ),
      ]),
  ],
  [
    'corrupted header after big data',
    () => {
      const bytes = withBig(big('bag/data/next.bin', 700));
      const at = bytes.length - 1024 - 1024 - 512 + 10; // inside the last entry's header
      bytes[at] = (bytes[at] ?? 0) ^ 1;
      return bytes;
    },
  ],
  ['data after the end marker', () => Buffer.concat([withBig(), Buffer.from('hidden')])],
  ['entry hidden after the end marker', () => Buffer.concat([withBig(), craftTar([big('bag/data/hidden', 2000)])])],
  ['no end marker', () => craftTar([...base, big('bag/data/big.bin', 5000)], { end: false })],
  ['GNU sparse file', () => withBig({ name: 'bag/data/sparse', type: 'S', data: Buffer.alloc(700) })],
  [
    'pax global header',
    () => withBig({ name: 'g', type: 'g', data: paxRecord('comment', 'x') }, big('bag/data/q', 700)),
  ],
];

describe('indexing without reading file data', () => {
  it.each(CASES)('%s: the same index as reading every byte', async (_label, build) => {
    const file = writeTar(build());
    const read = await indexTarArchive(file, DEFAULT_TAR_LIMITS, Infinity);
    const skipped = await indexTarArchive(file, DEFAULT_TAR_LIMITS, 1);
    expect(skipped).toEqual(read);
  });

  it('the sound bag is indexed and accepted either way', async () => {
    const file = writeTar(withBig());
    const index = await indexTarArchive(file, DEFAULT_TAR_LIMITS, 1);
    expect(index.problems).toEqual([]);
    expect(index.entries.find((e) => e.name === 'bag/data/big.bin')).toMatchObject({ size: 5000 });
  });

  it('limits apply the same way', async () => {
    const file = writeTar(withBig(big('bag/data/more.bin', 3000)));
    for (const limits of [{ maxEntries: 4 }, { maxTotalBytes: 6000 }]) {
      const all = { ...DEFAULT_TAR_LIMITS, ...limits };
      const read = await indexTarArchive(file, all, Infinity);
      expect(read.problems.length).toBeGreaterThan(0);
      expect(await indexTarArchive(file, all, 1)).toEqual(read);
    }
  });
});
