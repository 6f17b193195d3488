import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  HAVE_GNU_TAR,
  MemorySink,
  SAMPLE_OPTIONS,
  chunksOf,
  sha256,
  writeSampleBag,
} from '../test-fixtures/bag.helpers.js';
import { BagWriteError } from './bag.errors.js';
import { validateBag } from './bag.validator.js';
import { BagWriter } from './bag.writer.js';

const haveTar = HAVE_GNU_TAR;
const PINNED_SAMPLE_TAR_SHA256 = '62fc6f48760db004fdd397b7007d93c3c57915e5a45e5e73ba6c2f2579e2d0b5';
const haveSha256sum = spawnSync('sha256sum', ['--version']).status === 0;

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-writer-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file under `root`, relative, sorted, with contents. */
function tree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.set(child, readFileSync(join(root, child)));
    }
  };
  walk('');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('BagWriter → directory', () => {
  it('writes a bag the validator accepts without warnings', async () => {
    const dir = join(scratch, 'bag');
    const summary = await writeSampleBag(await BagWriter.toDirectory(dir, SAMPLE_OPTIONS));
    const result = await validateBag(dir);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result).toMatchObject({
      valid: true,
      version: '1.0',
      format: 'directory',
      payload: { octets: 93, files: 4 },
    });
    expect(summary.payloadOxum).toBe('93.4');
    expect(summary.tagFiles.map((t) => t.path)).toEqual([
      'bagit.txt',
      'bag-info.txt',
      'evx/order.json',
      'evx/signatures/authority.sig',
      'manifest-sha256.txt',
      'tagmanifest-sha256.txt',
    ]);
  });

  it('writes the tag files byte for byte as specified', async () => {
    const dir = join(scratch, 'bag');
    await writeSampleBag(await BagWriter.toDirectory(dir, SAMPLE_OPTIONS));
    const text = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(text('bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    expect(text('bag-info.txt')).toBe(
      'Source-Organization: Example Telecom\nExternal-Identifier: ORD-1\nBagging-Date: 2024-05-06\nPayload-Oxum: 93.4\n',
    );
    const manifest = text('manifest-sha256.txt').split('\n');
    expect(manifest.map((l) => l.slice(66))).toEqual([
      'data/call-records/2024-05.csv',
      'data/call-records/notes 100%25.txt',
      'data/empty.bin',
      'data/résumé.txt',
      '',
    ]);
    expect(manifest[2]).toBe(`${sha256(Buffer.alloc(0))}  data/empty.bin`);
    const tagManifest = text('tagmanifest-sha256.txt');
    expect(tagManifest).toContain(`${sha256(readFileSync(join(dir, 'evx/order.json')))}  evx/order.json\n`);
    expect(tagManifest.split('\n').map((l) => l.slice(66))).toEqual([
      'bag-info.txt',
      'bagit.txt',
      'evx/order.json',
      'evx/signatures/authority.sig',
      'manifest-sha256.txt',
      '',
    ]);
  });

  it('writes sha256 and sha512 manifests when asked', async () => {
    const dir = join(scratch, 'bag');
    await writeSampleBag(await BagWriter.toDirectory(dir, { ...SAMPLE_OPTIONS, algorithms: ['sha512', 'sha256'] }));
    const result = await validateBag(dir);
    expect(result).toMatchObject({
      valid: true,
      payloadAlgorithms: ['sha256', 'sha512'],
      tagAlgorithms: ['sha256', 'sha512'],
    });
  });

  (haveSha256sum ? it : it.skip)('verifies with sha256sum -c, as a court could', async () => {
    const dir = join(scratch, 'bag');
    const writer = await BagWriter.toDirectory(dir, SAMPLE_OPTIONS);
    await writer.addPayload('data/a.txt', chunksOf('a\n'), 2);
    await writer.finish();
    expect(spawnSync('sha256sum', ['--strict', '-c', 'manifest-sha256.txt'], { cwd: dir }).status).toBe(0);
    expect(spawnSync('sha256sum', ['--strict', '-c', 'tagmanifest-sha256.txt'], { cwd: dir }).status).toBe(0);
  });

  it('removes the partial directory when a payload breaks its declared size', async () => {
    const dir = join(scratch, 'bag');
    const writer = await BagWriter.toDirectory(dir, SAMPLE_OPTIONS);
    await expect(writer.addPayload('data/short.bin', chunksOf('12345'), 10)).rejects.toThrow(BagWriteError);
    expect(existsSync(dir)).toBe(false);
    await expect(writer.finish()).rejects.toThrow(/failed/);
  });

  it('lists digests the caller computed without hashing the bytes itself, and refuses a missing one', async () => {
    const dir = join(scratch, 'bag');
    const writer = await BagWriter.toDirectory(dir, SAMPLE_OPTIONS);
    await writer.addPayload('data/a.txt', chunksOf('a\n'), 2, Promise.resolve({ sha256: sha256(Buffer.from('a\n')) }));
    // A digest that is not the bytes' own goes into the manifest as given: the validator then finds the mismatch.
    await writer.addPayload(
      'data/b.txt',
      chunksOf('b\n'),
      2,
      Promise.resolve({ sha256: sha256(Buffer.from('not b\n')) }),
    );
    await writer.finish();
    expect(readFileSync(join(dir, 'manifest-sha256.txt'), 'utf8')).toBe(
      `${sha256(Buffer.from('a\n'))}  data/a.txt\n${sha256(Buffer.from('not b\n'))}  data/b.txt\n`,
    );
    expect((await validateBag(dir)).valid).toBe(false);

    const other = await BagWriter.toDirectory(join(scratch, 'bag2'), SAMPLE_OPTIONS);
    await expect(other.addPayload('data/a.txt', chunksOf('a\n'), 2, Promise.resolve({ sha512: 'ab' }))).rejects.toThrow(
      /no sha256 digest/,
    );
  });

  it('writes a valid bag with an empty payload', async () => {
    const dir = join(scratch, 'bag');
    const summary = await (await BagWriter.toDirectory(dir, SAMPLE_OPTIONS)).finish();
    expect(summary.payloadOxum).toBe('0.0');
    expect(readFileSync(join(dir, 'manifest-sha256.txt'), 'utf8')).toBe('');
    expect(await validateBag(dir)).toMatchObject({ valid: true, warnings: [], payload: { octets: 0, files: 0 } });
  });

  it('refuses a target directory that already exists', async () => {
    mkdirSync(join(scratch, 'taken'));
    await expect(BagWriter.toDirectory(join(scratch, 'taken'), SAMPLE_OPTIONS)).rejects.toThrow(/EEXIST/);
  });
});

describe('BagWriter → tar', () => {
  const tarOptions = { ...SAMPLE_OPTIONS, baseName: 'ORD-1' };

  it('is deterministic: same inputs, same bytes, whether sizes are known up front or spooled', async () => {
    const digests: string[] = [];
    for (const knownSizes of [true, true, false]) {
      const out = new MemorySink();
      await writeSampleBag(BagWriter.toTar(out, { ...tarOptions, spoolDir: scratch }), knownSizes);
      digests.push(sha256(out.bytes));
    }
    expect(new Set(digests).size).toBe(1);
    // Pinned: any change to entry order or header bytes must be deliberate (and documented in README.md).
    expect(digests[0]).toBe(PINNED_SAMPLE_TAR_SHA256);
    expect(readdirSync(scratch)).toEqual([]); // spool files are gone
  });

  it('round-trips: the tar validates in place, with the same tree as the directory output', async () => {
    const archive = join(scratch, 'bag.tar');
    await writeSampleBag(await BagWriter.toTarFile(archive, tarOptions));
    const result = await validateBag(archive);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result).toMatchObject({ valid: true, format: 'tar', baseName: 'ORD-1' });
    if (!haveTar) return;
    const out = join(scratch, 'x');
    mkdirSync(out);
    expect(spawnSync('tar', ['-xf', archive, '-C', out]).status).toBe(0);
    const dir = join(scratch, 'dir-bag');
    await writeSampleBag(await BagWriter.toDirectory(dir, SAMPLE_OPTIONS));
    expect(tree(join(out, 'ORD-1'))).toEqual(tree(dir));
    expect((await validateBag(join(out, 'ORD-1'))).valid).toBe(true);
  });

  (haveTar ? it : it.skip)('lists in the documented entry order with the documented headers (GNU tar)', async () => {
    const archive = join(scratch, 'bag.tar');
    await writeSampleBag(await BagWriter.toTarFile(archive, tarOptions));
    const listing = spawnSync('tar', ['--utc', '--numeric-owner', '-tvf', archive], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    expect(listing.status).toBe(0);
    const rows = listing.stdout.trim().split('\n');
    expect(rows.map((r) => r.replace(/^\S+ \S+ +\d+ \S+ \S+ /, ''))).toEqual([
      'ORD-1/',
      'ORD-1/bagit.txt',
      'ORD-1/data/',
      'ORD-1/data/call-records/',
      'ORD-1/data/call-records/2024-05.csv',
      'ORD-1/data/call-records/notes 100%.txt',
      'ORD-1/data/empty.bin',
      'ORD-1/data/résumé.txt',
      'ORD-1/bag-info.txt',
      'ORD-1/evx/',
      'ORD-1/evx/order.json',
      'ORD-1/evx/signatures/',
      'ORD-1/evx/signatures/authority.sig',
      'ORD-1/manifest-sha256.txt',
      'ORD-1/tagmanifest-sha256.txt',
    ]);
    for (const row of rows) {
      expect(row).toMatch(/^(drwxr-xr-x|-rw-r--r--) 0\/0 +\d+ 2024-05-06 07:08 /);
    }
  });

  it('stores long and non-ASCII names in pax headers', async () => {
    const archive = join(scratch, 'bag.tar');
    const long = `data/${'d'.repeat(90)}/${'f'.repeat(90)}.bin`;
    const writer = await BagWriter.toTarFile(archive, tarOptions);
    await writer.addPayload(long, chunksOf('x'), 1);
    await writer.addPayload('data/Ωmega.txt', chunksOf('y'), 1);
    await writer.finish();
    expect(readFileSync(archive).includes(Buffer.from(`path=ORD-1/${long}\n`))).toBe(true);
    expect((await validateBag(archive)).valid).toBe(true);
    if (haveTar) {
      const listing = spawnSync('tar', ['-tf', archive], {
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
      }).stdout.split('\n');
      expect(listing).toEqual(expect.arrayContaining([`ORD-1/${long}`, 'ORD-1/data/Ωmega.txt']));
    }
  });

  it('gives the same bytes through a slow output with a tiny buffer (back-pressure at every write)', async () => {
    const chunks: Buffer[] = [];
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        setImmediate(callback);
      },
    });
    await writeSampleBag(BagWriter.toTar(slow, tarOptions));
    expect(sha256(Buffer.concat(chunks))).toBe(PINNED_SAMPLE_TAR_SHA256);
  });

  it.each([0, 1, 3, 8])('reports an output failing after %d writes, without hanging', async (after) => {
    let writes = 0;
    const failing = new Writable({
      highWaterMark: 16,
      write(_chunk: Buffer, _encoding, callback) {
        if (++writes > after) callback(new Error('disk full'));
        else setImmediate(callback);
      },
    });
    failing.on('error', () => undefined);
    await expect(writeSampleBag(BagWriter.toTar(failing, tarOptions))).rejects.toThrow('disk full');
    expect(failing.destroyed).toBe(true);
  });

  it('keeps its size promise: an oversized source fails and destroys the output', async () => {
    const out = new MemorySink();
    const errors: Error[] = [];
    out.on('error', (e: Error) => errors.push(e));
    const writer = BagWriter.toTar(out, tarOptions);
    await expect(writer.addPayload('data/a', chunksOf('123', '456'), 4)).rejects.toThrow(/more than the declared 4/);
    expect(out.destroyed).toBe(true);
  });
});
