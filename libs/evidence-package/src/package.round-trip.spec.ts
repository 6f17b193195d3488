import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { FormatError } from './canonical.util.js';
import { verifyPackage } from './package.verifier.js';
import { InMemoryLogAnchor, TEST_LOG_ORIGIN } from './testing/in-memory-log.anchor.js';
import {
  actorSigner,
  buildFixturePackage,
  memoizedSigner,
  sampleRecords,
  serviceSigner,
  signedAuthorisation,
} from './testing/package.fixture.js';
import { packageWorkspace, type PackageWorkspace } from './testing/package-workspace.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

const fileSha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('build, then verify', () => {
  let ws: PackageWorkspace;
  beforeAll(async () => {
    ws = await packageWorkspace({ records: sampleRecords(12) });
  });
  afterAll(() => ws.cleanup());

  it('a built package verifies, as a tar and as the unpacked folder', async () => {
    for (const path of [ws.tar, ws.folder]) {
      const result = await ws.verify(path);
      expect(result.failure).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(result.scope).toEqual({ kind: 'full', recordCount: 12, recordsPresent: 12 });
      expect(result.checks.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          'custody signature',
          'approval 2 (judge)',
          'origin',
          'hash chain',
          'Merkle root',
          'log',
          'BagIt',
        ]),
      );
      expect(result.facts).toMatchObject({
        recordCount: 12,
        chainHead: ws.built.chainHead,
        merkleRoot: ws.built.merkleRoot,
        adapterUri: 'evx://provider/telco-a/adapter/main',
        custodianUri: 'evx://service/vault',
        log: { origin: TEST_LOG_ORIGIN, index: 5, treeSize: 6 },
      });
      expect(result.proves).toMatch(/^All 12 records are present and unchanged/);
    }
  });

  it('reports the tar size and SHA-256 it wrote', () => {
    expect(ws.built.sha256).toBe(fileSha256(ws.tar));
    expect(ws.built.size).toBe(readFileSync(ws.tar).length);
  });

  it('expects the log origin it is told, and the trust folder log key', async () => {
    const result = await verifyPackage(ws.tar, { trustDir: ws.pki, logOrigin: 'evx.other/log' });
    expect(result.failure?.message).toMatch(/^log checkpoint \(evx\/log\/checkpoint\): .*evx\.other\/log/);
  });
});

describe('determinism', () => {
  it('the same inputs give a byte-identical tar', async () => {
    const pki = await sharedTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'evx-determinism-'));
    try {
      // RSA-PSS is randomised: each distinct statement is signed once, so both builds carry the same signatures.
      const authorisation = await signedAuthorisation(pki);
      const originSigner = memoizedSigner(await actorSigner(pki, 'telco-a.main'));
      const custodySigner = memoizedSigner(await serviceSigner(pki, 'vault'));
      const build = async (name: string) =>
        buildFixturePackage(pki, join(dir, name), {
          authorisation,
          originSigner,
          custodySigner,
          records: sampleRecords(9, (i) => 1000 * i + 7),
          log: await InMemoryLogAnchor.fromPki(pki),
        });
      const [a, b] = [await build('a.tar'), await build('b.tar')];
      expect(fileSha256(join(dir, 'a.tar'))).toBe(fileSha256(join(dir, 'b.tar')));
      expect(a.sha256).toBe(b.sha256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('builder input checks', () => {
  let pki: string;
  let dir: string;
  beforeAll(async () => {
    pki = await sharedTestPki();
    dir = mkdtempSync(join(tmpdir(), 'evx-builder-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds and verifies a package without records', async () => {
    const out = join(dir, 'empty.tar');
    const built = await buildFixturePackage(pki, out, { records: [] });
    expect(built.merkleRoot).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const result = await verifyPackage(out, { trustDir: pki, logOrigin: TEST_LOG_ORIGIN });
    expect(result.failure).toBeUndefined();
  });

  it('refuses a payload that does not hash to what the uploader declared, and leaves no file', async () => {
    const out = join(dir, 'bad-hash.tar');
    const [record] = sampleRecords(1);
    const records = [{ ...record!, payloadSha256: '0'.repeat(64) }];
    await expect(buildFixturePackage(pki, out, { records })).rejects.toThrow(/record 1: payload hashes to/);
    expect(existsSync(out)).toBe(false);
  });

  it('takes a digest computed elsewhere instead of hashing, and still refuses one that differs from the upload', async () => {
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, j) => 0x61 + (j % 26)));
    const record = { ...sampleRecords(1)[0]!, payload: bytes };
    const sha = createHash('sha256').update(bytes).digest('hex');
    const good = join(dir, 'given-digest.tar');
    await buildFixturePackage(pki, good, {
      records: [{ ...record, payloadSha256: sha, payloadDigest: Promise.resolve(sha) }],
    });
    expect((await verifyPackage(good, { trustDir: pki, logOrigin: TEST_LOG_ORIGIN })).failure).toBeUndefined();
    const bad = join(dir, 'wrong-digest.tar');
    const records = [{ ...record, payloadSha256: sha, payloadDigest: Promise.resolve('1'.repeat(64)) }];
    await expect(buildFixturePackage(pki, bad, { records })).rejects.toThrow(/record 1: payload hashes to 1{64}/);
    expect(existsSync(bad)).toBe(false);
  });

  it('refuses a payload shorter than its declared size', async () => {
    const out = join(dir, 'short.tar');
    const records = [{ ...sampleRecords(1)[0]!, payloadSize: 1000 }];
    await expect(buildFixturePackage(pki, out, { records })).rejects.toThrow(/yielded 40 bytes, 1000 were declared/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses bad record metadata with the record number', async () => {
    const records = [{ ...sampleRecords(1)[0]!, selectorId: 'not a selector' }];
    await expect(buildFixturePackage(pki, join(dir, 'selector.tar'), { records })).rejects.toThrow(
      /record 1: "selectorId" "not a selector" does not match/,
    );
  });

  it("refuses an origin signer that is not the provider's adapter", async () => {
    await expect(buildFixturePackage(pki, join(dir, 'bank.tar'), { adapter: 'bank-b.main' })).rejects.toThrow(
      FormatError,
    );
  });

  it('refuses a log answer that does not prove the package commitment, and leaves no file', async () => {
    const real = await InMemoryLogAnchor.fromPki(pki);
    const log = { commit: (leaf: Uint8Array) => real.commit(Buffer.concat([leaf, Buffer.from(' ')])) };
    const out = join(dir, 'lying-log.tar');
    await expect(buildFixturePackage(pki, out, { log })).rejects.toThrow(
      "the log's proof does not prove the package commitment",
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an order addressed to another provider', async () => {
    const authorisation = await signedAuthorisation(pki, { providerId: 'bank-b' });
    await expect(buildFixturePackage(pki, join(dir, 'other.tar'), { authorisation })).rejects.toThrow(
      'the request is addressed to bank-b, not telco-a',
    );
  });
});
