// A package tar is verified in place (its files read as byte ranges of it, each payload hashed once for both the
// BagIt and the records checks, large ones on worker threads). Whatever is tampered with, that must give exactly
// the verdict, checks and message of verifying the same package unpacked.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { openBagArchive } from '#evx/bagit';
import { verifyPackage } from './package.verifier.js';
import { TEST_LOG_ORIGIN } from './testing/in-memory-log.anchor.js';
import { sampleRecords } from './testing/package.fixture.js';
import { flipByte, packageWorkspace, type PackageWorkspace } from './testing/package-workspace.js';

jest.setTimeout(60_000);

const MIB = 1024 * 1024;

const FILES = [
  'data/records/00000001.bin',
  'data/records/00000002.bin',
  'data/records/00000002.json',
  'manifest-sha256.txt',
  'tagmanifest-sha256.txt',
  'bag-info.txt',
  'bagit.txt',
  'evx/package.json',
  'evx/authorisation/request.json',
  'evx/origin.json',
  'evx/origin.sig.json',
  'evx/custody.json',
  'evx/custody.sig.json',
  'evx/log/checkpoint',
];

describe('verifying a tar in place', () => {
  let ws: PackageWorkspace;
  let copies = 0;
  beforeAll(async () => {
    // Record 2 is large enough to be hashed on a worker thread; 1 and 3 are hashed on the main thread.
    ws = await packageWorkspace({ records: sampleRecords(3, (i) => (i === 1 ? 2 * MIB + 3 : 100 + i)) });
  });
  afterAll(() => ws.cleanup());

  /** A copy of the package tar with one bit flipped where `flipByte` flips it in the unpacked file. */
  async function tamperedTar(file: string, fraction: number): Promise<string> {
    const range = (await openBagArchive(ws.tar)).source.locate?.(file);
    if (range === undefined) throw new Error(`${file} is not in the package`);
    const copy = join(ws.dir, `tampered-${++copies}.tar`);
    copyFileSync(ws.tar, copy);
    const bytes = readFileSync(copy);
    const at = range.start + Math.min(range.length - 1, Math.floor(range.length * fraction));
    bytes[at] = (bytes[at] as number) ^ 0x01;
    writeFileSync(copy, bytes);
    return copy;
  }

  it('the untouched package verifies, with the same checks as unpacked', async () => {
    const tar = await ws.verify(ws.tar);
    const folder = await ws.verify(ws.folder);
    expect(tar.failure).toBeUndefined();
    expect(tar.valid).toBe(true);
    expect(tar.checks[0]).toMatchObject({ name: 'archive', detail: expect.stringMatching(/read in place/) });
    expect(tar.checks.slice(1)).toEqual(folder.checks);
    expect(tar.scope).toEqual(folder.scope);
  });

  it('an archive the caller opened (its payload hashed ahead) gives the result of verifying its path', async () => {
    for (const tar of [ws.tar, await tamperedTar('data/records/00000002.bin', 0.5)]) {
      const archive = await openBagArchive(tar, { hashAhead: true });
      try {
        const opened = await verifyPackage(archive, { trustDir: ws.pki, logOrigin: TEST_LOG_ORIGIN });
        expect(opened).toEqual(await ws.verify(tar));
      } finally {
        await archive.close();
      }
    }
    const tampered = await verifyPackage(await openBagArchive(await tamperedTar('data/records/00000002.bin', 0.2)), {
      trustDir: ws.pki,
      logOrigin: TEST_LOG_ORIGIN,
    });
    expect(tampered.failure).toMatchObject({ item: 'record 2', path: 'data/records/00000002.bin' });
  });

  describe.each(FILES)('%s', (file) => {
    it.each([0.2, 0.5, 0.8])('a flipped byte at %f: the same failure as unpacked', async (fraction) => {
      const folder = ws.copy();
      flipByte(join(folder, file), fraction);
      const unpacked = await ws.verify(folder);
      const inPlace = await ws.verify(await tamperedTar(file, fraction));
      expect(unpacked.valid).toBe(false);
      expect(inPlace.valid).toBe(false);
      expect(inPlace.failure).toEqual(unpacked.failure);
      expect(inPlace.checks.slice(1)).toEqual(unpacked.checks);
    });
  });
});
