import { generateKeyPairSync } from 'node:crypto';
import { hashLeaf, verifyConsistency, verifyInclusion } from '#evx/merkle';
import { newEd25519Signer, newEd25519Verifier, openCheckpoint, verifyTlogProof } from '#evx/tlog';
import { InMemoryLogStore } from './in-memory-log.store.js';
import { LogAppender } from './log.appender.js';
import { LogKeyConflictError, TransparencyLog } from './transparency-log.js';

const ORIGIN = 'evx.test/log';

function keys() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  return { signer: newEd25519Signer(ORIGIN, seed), verifier: newEd25519Verifier(ORIGIN, pub) };
}

const leaf = (i: number) => new TextEncoder().encode(`{"n":${i}}`);

describe('TransparencyLog', () => {
  const { signer, verifier } = keys();
  const sut = () =>
    new TransparencyLog(new InMemoryLogStore(), { origin: ORIGIN, signer, clock: () => 1_700_000_000_000 });

  it('sequences entries and signs a checkpoint for each new size', async () => {
    const log = sut();
    const a = await log.append([
      { kind: 'audit', leaf: leaf(0) },
      { kind: 'audit', leaf: leaf(1) },
    ]);
    const b = await log.append([{ kind: 'audit', leaf: leaf(2) }]);
    expect(a.indexes).toEqual([0, 1]);
    expect(b.indexes).toEqual([2]);
    const opened = openCheckpoint(b.checkpoint.note, verifier, ORIGIN);
    expect(opened.checkpoint.size).toBe(3);
    expect(Buffer.from(opened.checkpoint.rootHash)).toEqual(Buffer.from(b.checkpoint.rootHash));
  });

  it('serves inclusion proofs (also as C2SP tlog-proof) that verify, and fail for another leaf', async () => {
    const log = sut();
    for (let i = 0; i < 37; i++) await log.append([{ kind: 'audit', leaf: leaf(i) }]);
    for (const index of [0, 1, 17, 36]) {
      const { proof, checkpoint, tlogProof } = await log.inclusionProof(index);
      verifyInclusion(hashLeaf(leaf(index)), index, 37, proof, checkpoint.rootHash);
      expect(() => verifyInclusion(hashLeaf(leaf(index + 1)), index, 37, proof, checkpoint.rootHash)).toThrow();
      expect(verifyTlogProof(tlogProof, hashLeaf(leaf(index)), verifier, ORIGIN).index).toBe(index);
    }
    await expect(log.inclusionProof(37)).rejects.toThrow('not below the tree size 37');
  });

  it('proves every checkpoint consistent with every earlier size', async () => {
    const log = sut();
    const roots = new Map<number, Uint8Array>();
    for (let i = 0; i < 20; i++) {
      const { checkpoint } = await log.append([{ kind: 'audit', leaf: leaf(i) }]);
      roots.set(checkpoint.size, checkpoint.rootHash);
    }
    for (let m = 1; m <= 20; m++) {
      for (const n of [m, 13, 20].filter((x) => x >= m)) {
        const { proof, to } = await log.consistencyProof(m, n);
        verifyConsistency(m, n, proof, roots.get(m) as Uint8Array, to.rootHash);
      }
    }
  });

  it('appends an entry with a known key only once, also within one batch', async () => {
    const log = sut();
    const first = await log.append([
      { kind: 'audit', leaf: leaf(0), key: 'e-1' },
      { kind: 'audit', leaf: leaf(1), key: 'e-2' },
    ]);
    const again = await log.append([
      { kind: 'audit', leaf: leaf(1), key: 'e-2' },
      { kind: 'audit', leaf: leaf(3), key: 'e-3' },
      { kind: 'audit', leaf: leaf(3), key: 'e-3' },
    ]);
    expect(first.indexes).toEqual([0, 1]);
    expect(again.indexes).toEqual([1, 2, 2]);
    expect(again.checkpoint.size).toBe(3);
    const replay = await log.append([{ kind: 'audit', leaf: leaf(0), key: 'e-1' }]);
    expect(replay.indexes).toEqual([0]);
    expect(replay.checkpoint.size).toBe(3);
  });

  it('refuses a known key with different content, naming the entry', async () => {
    const log = sut();
    await log.append([{ kind: 'audit', leaf: leaf(0), key: 'e-1' }]);
    await expect(log.append([{ kind: 'audit', leaf: leaf(9), key: 'e-1' }])).rejects.toThrow(
      'e-1 is already in the log (entry 0) with different content',
    );
    await expect(
      log.append([
        { kind: 'audit', leaf: leaf(1), key: 'e-2' },
        { kind: 'audit', leaf: leaf(2), key: 'e-2' },
      ]),
    ).rejects.toThrow(LogKeyConflictError);
    expect((await log.latestCheckpoint())?.size).toBe(1);
  });

  it('refuses to extend a log whose stored nodes do not match its head', async () => {
    const store = new InMemoryLogStore();
    const log = new TransparencyLog(store, { origin: ORIGIN, signer });
    await log.append([{ kind: 'audit', leaf: leaf(0) }]);
    await store.sequence(async (tx) => tx.insertNodes([{ level: 0, index: 0, hash: hashLeaf(leaf(99)) }]));
    await expect(log.append([{ kind: 'audit', leaf: leaf(1) }])).rejects.toThrow('stored nodes give root');
  });
});

describe('LogAppender', () => {
  it('batches concurrent appends and gives each caller its own indexes', async () => {
    const { signer } = keys();
    const store = new InMemoryLogStore();
    const log = new TransparencyLog(store, { origin: ORIGIN, signer });
    const sut = new LogAppender(log, 50);
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => sut.append([{ kind: 'audit', leaf: leaf(i) }])),
    );
    expect(results.map((r) => r.indexes[0])).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const checkpoints = await store.checkpoints(1, 1000);
    // 120 single appends made far fewer transactions than 120.
    expect(checkpoints.length).toBeLessThan(10);
    expect(checkpoints.at(-1)?.size).toBe(120);
    for (const r of results) expect(r.checkpoint.size).toBeGreaterThan(r.indexes[0]);
  });

  it('does not fail the other callers of a batch when one replays a key with different content', async () => {
    const { signer } = keys();
    const log = new TransparencyLog(new InMemoryLogStore(), { origin: ORIGIN, signer });
    const sut = new LogAppender(log, 50);
    await sut.append([{ kind: 'audit', leaf: leaf(0), key: 'k' }]);
    const [bad, good] = await Promise.allSettled([
      sut.append([{ kind: 'audit', leaf: leaf(1), key: 'k' }]),
      sut.append([{ kind: 'audit', leaf: leaf(2), key: 'other' }]),
    ]);
    expect(bad.status).toBe('rejected');
    expect(good).toMatchObject({ status: 'fulfilled', value: { indexes: [1] } });
  });
});
