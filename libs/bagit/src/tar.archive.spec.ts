// Hostile archives: every one must be refused by both the in-place validator and the extractor, and the extractor
// must not write anything anywhere when it refuses.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HAVE_GNU_TAR } from '../test-fixtures/bag.helpers.js';
import { craftTar, paxRecord, validBagEntries, type RawEntry } from '../test-fixtures/tar.crafter.js';
import { BagArchiveError, type BagArchiveProblem } from './bag.errors.js';
import { validateBag } from './bag.validator.js';
import { extractBagArchive } from './tar.archive.js';

let scratch: string;
let sandbox: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-hostile-'));
  sandbox = join(scratch, 'sandbox');
  mkdirSync(sandbox);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function writeTar(bytes: Buffer): string {
  const file = join(scratch, 'evidence.tar');
  writeFileSync(file, bytes);
  return file;
}

const base = validBagEntries();
const hostile = (...extra: RawEntry[]): Buffer => craftTar([...base, ...extra]);

const CASES: Array<[string, () => Buffer, BagArchiveProblem]> = [
  ['entry "../escape"', () => hostile({ name: '../escape', data: 'pwned' }), 'unsafe-name'],
  ['entry "bag/../../escape"', () => hostile({ name: 'bag/../../escape', data: 'pwned' }), 'unsafe-name'],
  ['absolute entry', () => hostile({ name: join(scratch, 'abs-target'), data: 'pwned' }), 'unsafe-name'],
  ['backslash traversal', () => hostile({ name: 'bag\\..\\..\\escape', data: 'pwned' }), 'unsafe-name'],
  ['symlink', () => hostile({ name: 'bag/data/link', type: '2', linkname: '/etc/passwd' }), 'unsupported-entry'],
  [
    'symlink then a file through it',
    () =>
      hostile({ name: 'bag/data/out', type: '2', linkname: '../../..' }, { name: 'bag/data/out/escape', data: 'x' }),
    'unsupported-entry',
  ],
  ['hard link', () => hostile({ name: 'bag/data/hard', type: '1', linkname: 'bag/bagit.txt' }), 'unsupported-entry'],
  ['character device', () => hostile({ name: 'bag/data/tty', type: '3' }), 'unsupported-entry'],
  ['FIFO', () => hostile({ name: 'bag/data/fifo', type: '6' }), 'unsupported-entry'],
  ['duplicate name', () => hostile({ name: 'bag/data/a.txt', data: 'second version\n' }), 'duplicate-name'],
  ['duplicate via "./"', () => hostile({ name: './bag/data/a.txt', data: 'second\n' }), 'duplicate-name'],
  ['names differing by case', () => hostile({ name: 'bag/data/A.txt', data: 'x' }), 'name-collision'],
  [
    'names differing by normalization',
    () => hostile({ name: 'bag/data/caf\u00e9', data: 'x' }, { name: 'bag/data/cafe\u0301', data: 'y' }),
    'name-collision',
  ],
  [
    'directories differing by case',
    () => hostile({ name: 'bag/data/X/1', data: 'x' }, { name: 'bag/data/x/2', data: 'y' }),
    'name-collision',
  ],
  ['file used as a directory', () => hostile({ name: 'bag/data/a.txt/x', data: 'x' }), 'file-directory-conflict'],
  [
    'pax path override to "../escape"',
    () =>
      hostile(
        { name: 'PaxHeader', type: 'x', data: paxRecord('path', '../escape') },
        { name: 'bag/data/ok', data: 'x' },
      ),
    'unsafe-name',
  ],
  [
    'GNU long name "../escape"',
    () => hostile({ name: '././@LongLink', type: 'L', data: '../escape\0' }, { name: 'bag/data/ok', data: 'x' }),
    'unsafe-name',
  ],
  [
    'name that is not UTF-8',
    () => hostile({ name: Buffer.from('bag/data/\xff.txt', 'latin1'), data: 'x' }),
    'unsafe-name',
  ],
  [
    'pax global header',
    () => hostile({ name: 'pax_global_header', type: 'g', data: paxRecord('path', 'x') }),
    'unsupported-entry',
  ],
  ['data after the end marker', () => Buffer.concat([craftTar(base), Buffer.from('hidden payload')]), 'trailing-data'],
  ['truncated archive', () => craftTar(base).subarray(0, 512 * 4 + 100), 'truncated'],
  ['no end marker', () => craftTar(base, { end: false }), 'truncated'],
  [
    'corrupted header',
    () => {
      const bytes = craftTar(base);
      bytes[512 * 1 + 10] ^= 0x01;
      return bytes;
    },
    'bad-header',
  ],
  ['gzip-compressed', () => gzipSync(craftTar(base)), 'compressed'],
  ['not a tar at all', () => Buffer.from('BagIt-Version: 1.0\n'.repeat(40)), 'not-a-tar'],
  ['two top-level directories', () => hostile({ name: 'other/', type: '5' }), 'layout'],
  // What tar-stream alone would let through (it skips zero blocks and consumes extended headers silently):
  [
    'entry hidden after the end marker',
    () => Buffer.concat([craftTar(base), craftTar([{ name: 'bag/data/hidden', data: 'x' }])]),
    'trailing-data',
  ],
  [
    'pax global header before an entry',
    () =>
      hostile(
        { name: 'pax_global_header', type: 'g', data: paxRecord('comment', 'x') },
        { name: 'bag/data/ok', data: 'x' },
      ),
    'unsupported-entry',
  ],
  [
    'GNU long link name',
    () => hostile({ name: '././@LongLink', type: 'K', data: 'x\0' }, { name: 'bag/data/ok', data: 'x' }),
    'unsupported-entry',
  ],
  ['GNU sparse file', () => hostile({ name: 'bag/data/sparse', type: 'S', data: 'x' }), 'unsupported-entry'],
  [
    'malformed pax record',
    () => hostile({ name: 'PaxHeader', type: 'x', data: '99 path=x\n' }, { name: 'bag/data/ok', data: 'x' }),
    'bad-header',
  ],
  [
    'pax path that is not UTF-8',
    () =>
      hostile(
        { name: 'PaxHeader', type: 'x', data: Buffer.from('23 path=bag/data/\xff.txt\n', 'latin1') },
        { name: 'bag/data/ok', data: 'x' },
      ),
    'unsafe-name',
  ],
  [
    'pax header without a following entry',
    () => hostile({ name: 'PaxHeader', type: 'x', data: paxRecord('path', 'bag/data/x') }),
    'bad-header',
  ],
  ['directory entry with data', () => hostile({ name: 'bag/data/d/', type: '5', data: 'xx' }), 'bad-header'],
];

describe('hostile archives', () => {
  it.each(CASES)('%s: refused by the extractor, nothing written', async (_label, build, problem) => {
    const archive = writeTar(build());
    const failure = await extractBagArchive(archive, { parentDir: sandbox }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(BagArchiveError);
    expect(failure).toMatchObject({ problem });
    expect(readdirSync(sandbox)).toEqual([]);
    expect(readdirSync(scratch).sort()).toEqual(['evidence.tar', 'sandbox']);
    expect(existsSync(join(scratch, 'abs-target'))).toBe(false);
  });

  it.each(CASES)('%s: refused by the validator', async (_label, build) => {
    const result = await validateBag(writeTar(build()));
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^archive-(invalid|unsafe-entry|limit)$/)]),
    );
  });

  it('names the offending entry', async () => {
    const result = await validateBag(writeTar(hostile({ name: 'bag/data/link', type: '2', linkname: '/etc/passwd' })));
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'archive-unsafe-entry',
        file: 'bag/data/link',
        message: expect.stringMatching(/symbolic link/),
      }),
    ]);
  });

  it('enforces entry-count and size limits with clear errors', async () => {
    const archive = writeTar(craftTar(base));
    await expect(extractBagArchive(archive, { parentDir: sandbox, limits: { maxEntries: 3 } })).rejects.toMatchObject({
      problem: 'too-many-entries',
      message: expect.stringMatching(/more than 3 entries/),
    });
    await expect(
      extractBagArchive(archive, { parentDir: sandbox, limits: { maxTotalBytes: 10 } }),
    ).rejects.toMatchObject({
      problem: 'too-large',
    });
    const withPax = writeTar(
      hostile({ name: 'PaxHeader', type: 'x', data: paxRecord('path', 'bag/data/long') }, { name: 'x', data: 'x' }),
    );
    await expect(
      extractBagArchive(withPax, { parentDir: sandbox, limits: { maxHeaderBytes: 10 } }),
    ).rejects.toMatchObject({ problem: 'too-large', message: expect.stringMatching(/extended header/) });
    const result = await validateBag(archive, { archiveLimits: { maxEntries: 3 } });
    expect(result.errors.map((e) => e.code)).toEqual(['archive-limit']);
    expect(readdirSync(sandbox)).toEqual([]);
  });
});

describe('extractBagArchive on a sound archive', () => {
  it('extracts into a fresh temporary directory that validates, and cleans up', async () => {
    const archive = writeTar(craftTar(base));
    const extracted = await extractBagArchive(archive, { parentDir: sandbox });
    expect(readdirSync(sandbox)).toHaveLength(1);
    expect(extracted.bagDir).toBe(join(extracted.tempDir, 'bag'));
    expect((await validateBag(extracted.bagDir)).valid).toBe(true);
    expect((await validateBag(archive)).valid).toBe(true);
    await extracted.cleanup();
    expect(readdirSync(sandbox)).toEqual([]);
  });

  it('accepts directory entries that come after their contents', async () => {
    const reordered = [base[0], base[1], base[3], base[2], base[4]].filter((e): e is RawEntry => e !== undefined);
    const archive = writeTar(craftTar(reordered));
    expect((await validateBag(archive)).valid).toBe(true);
    const extracted = await extractBagArchive(archive, { parentDir: sandbox });
    expect((await validateBag(extracted.bagDir)).valid).toBe(true);
    await extracted.cleanup();
  });

  it('accepts a bag at the archive root with "./" names, as "tar -C bag ." writes them', async () => {
    const rooted = base.map((e) => ({ ...e, name: `./${String(e.name).slice(4)}` }));
    const extracted = await extractBagArchive(writeTar(craftTar(rooted)), { parentDir: sandbox });
    expect(extracted.bagDir).toBe(extracted.tempDir);
    expect((await validateBag(extracted.bagDir)).valid).toBe(true);
    await extracted.cleanup();
  });
});

describe('links in bags on disk', () => {
  it('a symlink inside a directory bag is an error and is not followed', async () => {
    const archive = writeTar(craftTar(base));
    const { bagDir, cleanup } = await extractBagArchive(archive, { parentDir: sandbox });
    writeFileSync(join(scratch, 'secret'), 'outside the bag');
    symlinkSync(join(scratch, 'secret'), join(bagDir, 'data', 'secret'));
    const result = await validateBag(bagDir);
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'unsafe-file',
        file: 'data/secret',
        message: expect.stringMatching(/symbolic link/),
      }),
    ]);
    await cleanup();
  });

  (HAVE_GNU_TAR ? it : it.skip)('a GNU tar archive holding a symlink is refused', async () => {
    const { bagDir, tempDir, cleanup } = await extractBagArchive(writeTar(craftTar(base)), { parentDir: sandbox });
    symlinkSync('/etc/passwd', join(bagDir, 'data', 'passwd'));
    const archive = join(scratch, 'gnu.tar');
    expect(spawnSync('tar', ['-cf', archive, '-C', tempDir, 'bag']).status).toBe(0);
    await cleanup();
    await expect(extractBagArchive(archive, { parentDir: sandbox })).rejects.toMatchObject({
      problem: 'unsupported-entry',
    });
    expect((await validateBag(archive)).valid).toBe(false);
    expect(readdirSync(sandbox)).toEqual([]);
  });
});
