import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { extractBagArchive } from '#evx/bagit';
import { disclosePackage } from './package.discloser.js';
import { recordMetadataPath } from './package-format.js';
import { sampleRecords } from './testing/package.fixture.js';
import { flipByte, packageWorkspace, rehashManifests, type PackageWorkspace } from './testing/package-workspace.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

describe('selective disclosure', () => {
  let ws: PackageWorkspace;
  let subset: string;
  beforeAll(async () => {
    ws = await packageWorkspace({ records: sampleRecords(7) });
    subset = join(ws.dir, 'subset.tar');
    await disclosePackage(ws.tar, [5, 3], subset);
  });
  afterAll(() => ws.cleanup());

  it('verifies, and says what it proves', async () => {
    const result = await ws.verify(subset);
    expect(result.failure).toBeUndefined();
    expect(result.scope).toEqual({
      kind: 'disclosure',
      recordCount: 7,
      recordsPresent: 2,
      disclosedSequenceNumbers: [3, 5],
    });
    expect(result.proves).toMatch(
      /^2 of 7 records disclosed; each proven included under the provider-signed Merkle root; the hash chain cannot be checked for undisclosed records/,
    );
  });

  it('holds only the chosen records, with every signed file unchanged', async () => {
    const bag = await extractBagArchive(subset, { parentDir: ws.dir });
    try {
      const manifest = readFileSync(join(bag.bagDir, 'manifest-sha256.txt'), 'utf8');
      expect(
        manifest
          .trim()
          .split('\n')
          .map((l) => l.split('  ')[1]),
      ).toEqual([
        'data/records/00000003.bin',
        'data/records/00000003.json',
        'data/records/00000005.bin',
        'data/records/00000005.json',
      ]);
      for (const file of ['evx/origin.json', 'evx/custody.sig.json', 'evx/log/package.tlog-proof']) {
        expect(readFileSync(join(bag.bagDir, file))).toEqual(readFileSync(join(ws.folder, file)));
      }
    } finally {
      await bag.cleanup();
    }
  });

  it('is deterministic: the same selection gives the same bytes', async () => {
    const again = join(ws.dir, 'subset-again.tar');
    await disclosePackage(ws.folder, [3, 5, 3], again);
    expect(readFileSync(again)).toEqual(readFileSync(subset));
  });

  it('detects a tampered disclosed record and names it', async () => {
    const bag = await extractBagArchive(subset, { parentDir: ws.dir });
    try {
      flipByte(join(bag.bagDir, 'data/records/00000005.bin'));
      expect((await ws.verify(bag.bagDir)).failure?.message).toMatch(
        /^record 5 \(data\/records\/00000005\.bin\): sha256 mismatch/,
      );
    } finally {
      await bag.cleanup();
    }
  });

  it('detects changed metadata even when the attacker recomputed the BagIt manifests', async () => {
    const bag = await extractBagArchive(subset, { parentDir: ws.dir });
    try {
      const path = join(bag.bagDir, recordMetadataPath(3));
      writeFileSync(path, readFileSync(path, 'utf8').replace('"selectorId":"s1"', '"selectorId":"s2"'));
      rehashManifests(bag.bagDir);
      expect((await ws.verify(bag.bagDir)).failure?.message).toMatch(
        /^disclosure \(evx\/disclosure\.json\): record 3: inclusion proof does not verify against the provider-signed Merkle root/,
      );
    } finally {
      await bag.cleanup();
    }
  });

  it('discloses from a disclosure, reusing its proofs', async () => {
    const single = join(ws.dir, 'single.tar');
    await disclosePackage(subset, [5], single);
    const result = await ws.verify(single);
    expect(result.failure).toBeUndefined();
    expect(result.scope?.disclosedSequenceNumbers).toEqual([5]);
    await expect(disclosePackage(subset, [4], join(ws.dir, 'x.tar'))).rejects.toThrow(
      'record 4 is not in this disclosure',
    );
  });

  it('refuses records that do not exist', async () => {
    await expect(disclosePackage(ws.tar, [8], join(ws.dir, 'y.tar'))).rejects.toThrow(
      'record 8 does not exist: the package has records 1 to 7',
    );
    await expect(disclosePackage(ws.tar, [], join(ws.dir, 'z.tar'))).rejects.toThrow(RangeError);
  });
});

describe('a full package whose record metadata was changed and its manifests recomputed', () => {
  it('fails on the hash chain, which the provider signed', async () => {
    const ws = await packageWorkspace();
    try {
      const copy = ws.copy();
      const path = join(copy, recordMetadataPath(2));
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace(
          '"recordTime":"2026-11-20T08:00:01.000Z"',
          '"recordTime":"2026-11-21T08:00:01.000Z"',
        ),
      );
      rehashManifests(copy);
      expect((await ws.verify(copy)).failure?.message).toMatch(
        /^hash chain \(evx\/origin\.json\): the hash chain computed over the 5 records is [0-9a-f]{64}, the provider signed [0-9a-f]{64}/,
      );
      rmSync(join(copy, recordMetadataPath(4)));
      expect((await ws.verify(copy)).failure?.message).toMatch(
        /^record 4 metadata \(data\/records\/00000004\.json\): is missing/,
      );
    } finally {
      ws.cleanup();
    }
  });
});
