// Hashing ahead (checksum.ahead.ts): an archive opened with `hashAhead` must validate exactly as one hashed by the
// validator itself, sound or tampered, and the validator must take the digests hashed ahead instead of hashing again.
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { manifestedBagFiles, writeBagTar } from '../test-fixtures/bag.helpers.js';
import { validateBag, validateBagArchive } from './bag.validator.js';
import { HashPool } from './checksum.pool.js';
import { openBagArchive } from './tar.archive.js';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-ahead-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const MIB = 1024 * 1024;
const hex = (algorithm: string, bytes: Buffer): string => createHash(algorithm).update(bytes).digest('hex');
const SHA256 = new Set(['sha256']);

/** A tar of a bag with two large payload files and a small one, SHA-256 and SHA-512 manifests, one file tampered. */
function writeTar(tamper?: string): { tar: string; data: Record<string, Buffer> } {
  const data = manifestedBagFiles(
    {
      'data/big-1.bin': Buffer.from(Array.from({ length: 3 * MIB + 7 }, (_, i) => i % 251)),
      'data/big-2.bin': Buffer.alloc(MIB, 2),
      'data/small.txt': Buffer.from('small\n'),
    },
    tamper,
  );
  return { tar: writeBagTar(scratch, data), data };
}

describe('hashing an opened archive ahead', () => {
  it.each([undefined, 'data/big-1.bin', 'data/big-2.bin', 'data/small.txt'])(
    'tampered file %s: the same result as hashing on this thread',
    async (tamper) => {
      const { tar, data } = writeTar(tamper);
      const archive = await openBagArchive(tar, { hashAhead: { workers: 2 } });
      try {
        const seen = new Map<string, Record<string, string>>();
        const ahead = await validateBagArchive(archive, {
          onFileHashed: (file, digests) => seen.set(file, { ...digests }),
        });
        expect(ahead).toEqual(await validateBag(tar, { hashWorkers: 0 }));
        expect(ahead.valid).toBe(tamper === undefined);
        for (const [file, digests] of seen) {
          const bytes = data[file] as Buffer;
          expect(digests).toEqual({ sha256: hex('sha256', bytes), sha512: hex('sha512', bytes) });
        }
        expect([...seen.keys()]).toEqual(['data/big-1.bin', 'data/big-2.bin', 'data/small.txt']);
      } finally {
        await archive.close();
      }
    },
  );

  it('the validator takes the digests hashed ahead and starts no hashing of its own', async () => {
    const { tar } = writeTar();
    const archive = await openBagArchive(tar, { hashAhead: { workers: 1 } });
    const started = jest.spyOn(HashPool.prototype, 'hash');
    try {
      expect((await validateBagArchive(archive, { hashWorkers: 2 })).valid).toBe(true);
      expect(started).not.toHaveBeenCalled();
    } finally {
      started.mockRestore();
      await archive.close();
    }
  });

  it('hashes the large payload files with the payload manifests’ algorithms, and gives only those asked for', async () => {
    const { tar, data } = writeTar();
    const archive = await openBagArchive(tar, { hashAhead: true });
    try {
      const big = data['data/big-1.bin'] as Buffer;
      expect(await archive.source.hashedAhead?.('data/big-1.bin', SHA256)).toEqual({
        digests: { sha256: hex('sha256', big) },
        octets: big.length,
      });
      // Not hashed ahead: a small file, an algorithm no payload manifest names, a tag file.
      expect(archive.source.hashedAhead?.('data/small.txt', SHA256)).toBeUndefined();
      expect(archive.source.hashedAhead?.('data/big-1.bin', new Set(['sha256', 'md5']))).toBeUndefined();
      expect(archive.source.hashedAhead?.('manifest-sha256.txt', SHA256)).toBeUndefined();
    } finally {
      await archive.close();
    }
  });

  it('after close nothing is taken from ahead: the validator hashes the files itself', async () => {
    const { tar } = writeTar('data/big-2.bin');
    const archive = await openBagArchive(tar, { hashAhead: true });
    await archive.close();
    expect(archive.source.hashedAhead?.('data/big-1.bin', SHA256)).toBeUndefined();
    expect(await validateBagArchive(archive)).toEqual(await validateBag(tar, { hashWorkers: 0 }));
  });

  it('a file whose hashing ahead failed (a thread died) is read again by the validator, not reported unreadable', async () => {
    const { tar } = writeTar();
    const died = jest
      .spyOn(HashPool.prototype, 'hash')
      .mockResolvedValue({ error: 'hashing thread exited with code 1' });
    const archive = await openBagArchive(tar, { hashAhead: { workers: 1 } });
    try {
      expect(died).toHaveBeenCalled();
      const result = await validateBagArchive(archive);
      expect(result.valid).toBe(true);
      expect(result).toEqual(await validateBag(tar, { hashWorkers: 0 }));
    } finally {
      died.mockRestore();
      await archive.close();
    }
  });

  it('digests hashed ahead are handed out once: a second validation of the archive reads the files again', async () => {
    const { tar } = writeTar();
    const archive = await openBagArchive(tar, { hashAhead: { workers: 1 } });
    try {
      expect((await validateBagArchive(archive)).valid).toBe(true);
      // The file changes after the first validation (same size): the second one must see it.
      const range = archive.source.locate?.('data/big-1.bin');
      expect(range).toBeDefined();
      const fd = openSync(tar, 'r+');
      try {
        const byte = Buffer.alloc(1);
        readSync(fd, byte, 0, 1, (range?.start ?? 0) + 1000);
        byte[0] ^= 1;
        writeSync(fd, byte, 0, 1, (range?.start ?? 0) + 1000);
      } finally {
        closeSync(fd);
      }
      const again = await validateBagArchive(archive);
      expect(again.valid).toBe(false);
      expect(again.errors.map((e) => [e.code, e.file])).toContainEqual(['checksum-mismatch', 'data/big-1.bin']);
    } finally {
      await archive.close();
    }
  });

  it('an archive opened without hashAhead hashes nothing ahead', async () => {
    const { tar } = writeTar();
    const archive = await openBagArchive(tar);
    expect(archive.source.hashedAhead).toBeUndefined();
    await archive.close();
  });
});
