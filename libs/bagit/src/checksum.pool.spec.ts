// Large files are hashed on worker threads (checksum.pool.ts): the findings must be exactly those of hashing on
// the calling thread, for directory bags and tars, sound or tampered, and a file that cannot be read is reported.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { manifestedBagFiles, writeBagTar } from '../test-fixtures/bag.helpers.js';
import { validateBag } from './bag.validator.js';
import { HashPool } from './checksum.pool.js';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-pool-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const MIB = 1024 * 1024;
const hex = (algorithm: string, bytes: Buffer): string => createHash(algorithm).update(bytes).digest('hex');

/** A 1 MiB file, its range, and a pool of two threads (with `options`) whose first thread was terminated. */
async function poolWithADeadThread(scratchDir: string, options?: { jobsPerThread: number }) {
  const file = join(scratchDir, 'some.bin');
  writeFileSync(file, Buffer.alloc(MIB, 7));
  const range = { file, start: 0, length: MIB, noFollow: false };
  const pool = new HashPool(2, options);
  const workers = (pool as unknown as { workers: Array<{ terminate(): Promise<number> }> }).workers;
  await workers[0]?.terminate();
  return { range, pool, workers, sound: { digests: { sha256: hex('sha256', Buffer.alloc(MIB, 7)) }, octets: MIB } };
}

function payloads(): Record<string, Buffer> {
  return {
    'data/big-1.bin': Buffer.alloc(3 * MIB + 7, 1),
    'data/big-2.bin': Buffer.alloc(MIB, 2),
    'data/small.txt': Buffer.from('small\n'),
  };
}

function writeFolder(files: Record<string, Buffer>): string {
  const root = join(scratch, 'bag');
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  return root;
}

describe('hashing on worker threads', () => {
  it.each([
    ['folder', undefined],
    ['folder', 'data/big-1.bin'],
    ['folder', 'data/small.txt'],
    ['tar', undefined],
    ['tar', 'data/big-2.bin'],
    ['tar', 'data/small.txt'],
  ])('%s, tampered file %s: the same result as on this thread', async (kind, tamper) => {
    const files = manifestedBagFiles(payloads(), tamper);
    const path = kind === 'tar' ? writeBagTar(scratch, files) : writeFolder(files);
    const seen: Array<[string, Record<string, string>, number]> = [];
    const threaded = await validateBag(path, {
      hashWorkers: 2,
      onFileHashed: (file, digests, octets) => seen.push([file, { ...digests }, octets]),
    });
    const inline = await validateBag(path, { hashWorkers: 0 });
    expect(threaded).toEqual(inline);
    expect(threaded.valid).toBe(tamper === undefined);
    if (tamper !== undefined) {
      expect(threaded.errors.map((e) => [e.code, e.file])).toEqual([
        ['checksum-mismatch', tamper],
        ['checksum-mismatch', tamper],
      ]);
    }
    // Every listed file, in path order, with the digests of its actual content.
    expect(seen.map(([file]) => file)).toEqual(['data/big-1.bin', 'data/big-2.bin', 'data/small.txt']);
    for (const [file, digests, octets] of seen) {
      const bytes = files[file] as Buffer;
      expect(digests).toEqual({ sha256: hex('sha256', bytes), sha512: hex('sha512', bytes) });
      expect(octets).toBe(bytes.length);
    }
  });

  it('a large file swapped for a link is unreadable, not followed', async () => {
    const root = writeFolder(manifestedBagFiles(payloads()));
    rmSync(join(root, 'data/big-1.bin'));
    writeFileSync(join(scratch, 'outside.bin'), Buffer.alloc(3 * MIB + 7, 1));
    symlinkSync(join(scratch, 'outside.bin'), join(root, 'data/big-1.bin'));
    const pool = new HashPool(1);
    try {
      const outcome = await pool.hash(
        { file: join(root, 'data/big-1.bin'), start: 0, length: Number.MAX_SAFE_INTEGER, noFollow: true },
        ['sha256'],
      );
      expect(outcome.error).toMatch(/ELOOP|symbolic link/);
      expect(outcome.digests).toBeUndefined();
      const missing = await pool.hash({ file: join(scratch, 'nope'), start: 0, length: 1, noFollow: false }, [
        'sha256',
      ]);
      expect(missing.error).toMatch(/ENOENT/);
    } finally {
      await pool.close();
    }
  });

  it('a hashing thread that dies fails its job, and the others carry on', async () => {
    const { range, pool, workers, sound } = await poolWithADeadThread(scratch);
    try {
      expect(await pool.hash(range, ['sha256'])).toEqual(sound);
      await workers[1]?.terminate();
      expect((await pool.hash(range, ['sha256'])).error).toMatch(/no hashing thread/);
    } finally {
      await pool.close();
    }
  });

  it('hashes a byte range of a file', async () => {
    const file = join(scratch, 'range.bin');
    const bytes = Buffer.from(Array.from({ length: 3 * MIB }, (_, i) => i % 251));
    writeFileSync(file, bytes);
    const pool = new HashPool(2);
    try {
      const outcome = await pool.hash({ file, start: 1000, length: 2 * MIB + 5, noFollow: false }, ['sha256', 'md5']);
      const range = bytes.subarray(1000, 1000 + 2 * MIB + 5);
      expect(outcome).toEqual({
        digests: { sha256: hex('sha256', range), md5: hex('md5', range) },
        octets: range.length,
      });
    } finally {
      await pool.close();
    }
  });
});

describe('HashPool with several jobs per thread', () => {
  it('gives every job the digest of its own range, whichever thread took it', async () => {
    const files = Array.from({ length: 7 }, (_, i) => {
      const file = join(scratch, `file-${i}.bin`);
      const bytes = Buffer.alloc(MIB + i, i + 1);
      writeFileSync(file, bytes);
      return { file, bytes };
    });
    const pool = new HashPool(2, { jobsPerThread: 3 });
    try {
      const outcomes = await Promise.all(
        files.map(({ file, bytes }) =>
          pool.hash({ file, start: 0, length: bytes.length, noFollow: false }, ['sha256']),
        ),
      );
      expect(outcomes).toEqual(
        files.map(({ bytes }) => ({ digests: { sha256: hex('sha256', bytes) }, octets: bytes.length })),
      );
    } finally {
      await pool.close();
    }
  });

  it('a dead thread is handed no job: the other takes them all', async () => {
    const { range, pool, sound } = await poolWithADeadThread(scratch, { jobsPerThread: 2 });
    try {
      const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => pool.hash(range, ['sha256'])));
      expect(outcomes).toEqual(outcomes.map(() => sound));
    } finally {
      await pool.close();
    }
  });
});

describe('HashPool.close', () => {
  it('ends the jobs not done yet with an error instead of leaving them pending, and refuses new ones', async () => {
    const file = join(scratch, 'some.bin');
    writeFileSync(file, Buffer.alloc(4 * MIB, 7));
    const pool = new HashPool(1);
    const range = { file, start: 0, length: 4 * MIB, noFollow: false };
    const jobs = [pool.hash(range, ['sha256']), pool.hash(range, ['sha256']), pool.hash(range, ['sha256'])];
    await pool.close();
    const outcomes = await Promise.all(jobs);
    // The first may have finished before close; the queued ones cannot have.
    expect(outcomes.slice(1)).toEqual([{ error: 'hashing was stopped' }, { error: 'hashing was stopped' }]);
    expect(await pool.hash(range, ['sha256'])).toEqual({ error: 'hashing was stopped' });
  });
});
