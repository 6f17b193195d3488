// Round trips against a literal transcription of the RFC 9162 definitions (MTH §2.1.1, PATH
// §2.1.3.1, SUBPROOF §2.1.4.1): every inclusion proof for sizes 1..70, every consistency proof
// for 1 <= m <= n <= 70, and tampering with each part of each proof.
import { bytesEqual } from './bytes.util.js';
import { InMemoryTree } from './in-memory-tree.js';
import { MerkleProofError } from './proof.error.js';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './proof.verifier.js';
import { emptyRoot, hashChildren, hashLeaf } from './rfc6962.hasher.js';

const N = 70;
const leaves = Array.from({ length: N + 2 }, (_, i) => Uint8Array.of(i, (i * 37) & 0xff, 0x5a));
const tree = InMemoryTree.fromLeaves(leaves.slice(0, N));
const leafHashes = leaves.map(hashLeaf);

/** Largest power of two strictly less than n (n >= 2). */
const split = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));

const mthMemo = new Map<string, Uint8Array>();
function mth(lo: number, hi: number): Uint8Array {
  if (hi === lo) return emptyRoot();
  if (hi - lo === 1) return leafHashes[lo];
  const key = `${lo},${hi}`;
  let h = mthMemo.get(key);
  if (h === undefined) {
    const k = split(hi - lo);
    h = hashChildren(mth(lo, lo + k), mth(lo + k, hi));
    mthMemo.set(key, h);
  }
  return h;
}

/** A proof element with the side its sibling sits on; 'seed' is SUBPROOF's MTH(D[m]) element. */
interface Step {
  hash: Uint8Array;
  side: 'L' | 'R' | 'seed';
}

/** PATH(m, D[lo:hi]), bottom-up. */
function path(m: number, lo: number, hi: number): Step[] {
  const n = hi - lo;
  if (n === 1) return [];
  const k = split(n);
  return m < k
    ? [...path(m, lo, lo + k), { hash: mth(lo + k, hi), side: 'R' }]
    : [...path(m - k, lo + k, hi), { hash: mth(lo, lo + k), side: 'L' }];
}

/** SUBPROOF(m, D[lo:hi], b), bottom-up. */
function subproof(m: number, lo: number, hi: number, b: boolean): Step[] {
  const n = hi - lo;
  if (m === n) return b ? [] : [{ hash: mth(lo, hi), side: 'seed' }];
  const k = split(n);
  return m <= k
    ? [...subproof(m, lo, lo + k, b), { hash: mth(lo + k, hi), side: 'R' }]
    : [...subproof(m - k, lo + k, hi, false), { hash: mth(lo, lo + k), side: 'L' }];
}

const shape = (steps: Step[]): string => steps.map((s) => s.side).join('');
const shapeMemo = new Map<string, string>();
function memoShape(kind: 'path' | 'subproof', m: number, n: number): string {
  const key = `${kind}:${m}:${n}`;
  let v = shapeMemo.get(key);
  if (v === undefined) {
    v = shape(kind === 'path' ? path(m, 0, n) : subproof(m, 0, n, true));
    shapeMemo.set(key, v);
  }
  return v;
}

/**
 * Collects unexpected outcomes instead of calling expect() hundreds of thousands of times (which
 * dominates the run time); the test then asserts the list is empty, showing the first offenders.
 */
class Outcomes {
  private readonly wrong: string[] = [];
  check(label: string, verify: () => void, want: boolean): void {
    if (succeeds(verify) !== want) this.wrong.push(`${label}: expected ${want ? 'success' : 'failure'}`);
  }
  assertAllExpected(): void {
    expect(this.wrong.slice(0, 20)).toEqual([]);
  }
}
const hashes = (steps: Step[]): Uint8Array[] => steps.map((s) => s.hash);
const sameProof = (a: Uint8Array[], b: Uint8Array[]): boolean =>
  a.length === b.length && a.every((h, i) => bytesEqual(h, b[i]));

/** Copy of `bytes` with bit `bit` flipped. */
function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

function succeeds(verify: () => void): boolean {
  try {
    verify();
    return true;
  } catch (e) {
    if (!(e instanceof MerkleProofError)) throw e; // anything else is a crash, not a rejection
    return false;
  }
}

/**
 * Alternative sizes to try instead of `n`: all of [lo, hi] for small trees, otherwise a window
 * around n plus n/2 and 2n. Exhaustive sweeps at every size cost minutes without adding cases.
 */
function otherSizes(n: number, lo: number, hi: number): number[] {
  const all = n <= 16 ? Array.from({ length: hi - lo + 1 }, (_, k) => lo + k) : [];
  for (let d = -4; d <= 4; d++) all.push(n + d);
  all.push(Math.floor(n / 2), 2 * n);
  return [...new Set(all)].filter((x) => x >= lo && x <= hi && x !== n).sort((a, b) => a - b);
}

/** Every other index for trees up to 32 leaves; beyond that neighbours, bit flips and the ends. */
function otherIndices(i: number, n: number): number[] {
  if (n <= 32) return Array.from({ length: n }, (_, k) => k).filter((k) => k !== i);
  const all = [0, n - 1, i - 2, i - 1, i + 1, i + 2];
  for (let b = 1; b < n; b *= 2) all.push(i ^ b);
  return [...new Set(all)].filter((k) => k >= 0 && k < n && k !== i);
}

const pairs: [number, number][] = [];
for (let n = 1; n <= N; n++) for (let m = 1; m <= n; m++) pairs.push([m, n]);

describe('InMemoryTree against the RFC 9162 definitions', () => {
  it('roots equal MTH for sizes 0..70', () => {
    for (let n = 0; n <= N; n++) expect([n, bytesEqual(tree.root(n), mth(0, n))]).toEqual([n, true]);
  });

  it('inclusion proofs equal PATH and verify, for every index of sizes 1..70', () => {
    for (let n = 1; n <= N; n++) {
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i, n);
        expect([i, n, sameProof(proof, hashes(path(i, 0, n)))]).toEqual([i, n, true]);
        verifyInclusion(leafHashes[i], i, n, proof, mth(0, n));
        expect(bytesEqual(rootFromInclusionProof(leafHashes[i], i, n, proof), mth(0, n))).toBe(true);
      }
    }
  });

  it('consistency proofs equal SUBPROOF and verify, for every 1 <= m <= n <= 70', () => {
    for (const [m, n] of pairs) {
      const proof = tree.consistencyProof(m, n);
      expect([m, n, sameProof(proof, hashes(subproof(m, 0, n, true)))]).toEqual([m, n, true]);
      verifyConsistency(m, n, proof, mth(0, m), mth(0, n));
    }
  });
});

describe('tampered inclusion proofs fail', () => {
  const cases: [number, number][] = [];
  for (let n = 1; n <= N; n++) for (let i = 0; i < n; i++) cases.push([i, n]);

  function tamperBits(n: number, i: number, bits: () => number, out: Outcomes): void {
    const proof = tree.inclusionProof(i, n);
    const root = mth(0, n);
    const at = `leaf ${i} size ${n}`;
    out.check(`${at} leaf`, () => verifyInclusion(flip(leafHashes[i], bits()), i, n, proof, root), false);
    out.check(`${at} root`, () => verifyInclusion(leafHashes[i], i, n, proof, flip(root, bits())), false);
    proof.forEach((h, j) => {
      const bad = proof.map((p, k) => (k === j ? flip(h, bits()) : p));
      out.check(`${at} proof[${j}]`, () => verifyInclusion(leafHashes[i], i, n, bad, root), false);
    });
  }

  it('every bit of every proof hash, leaf hash and root, for sizes 1..8', () => {
    const out = new Outcomes();
    for (const [i, n] of cases.filter(([, b]) => b <= 8)) {
      for (let bit = 0; bit < 256; bit++) tamperBits(n, i, () => bit, out);
    }
    out.assertAllExpected();
  });

  it('one bit (rotating over all 256 positions) of each proof hash, leaf and root, for sizes 1..70', () => {
    const out = new Outcomes();
    let bit = 0;
    for (const [i, n] of cases) tamperBits(n, i, () => (bit = (bit + 97) % 256), out);
    out.assertAllExpected();
  });

  it('other indices fail; other sizes pass only if PATH has the same shape', () => {
    // RFC 9162 inclusion proofs do not commit to the tree size: PATH(0, D[3]) and PATH(0, D[4])
    // have the same shape, so a size-3 proof and root also "verify" for size 4. The signed tree
    // head binds root and size; this pins down exactly when that happens.
    const out = new Outcomes();
    let sameShape = 0;
    for (const [i, n] of cases) {
      const proof = tree.inclusionProof(i, n);
      const root = mth(0, n);
      for (const j of otherIndices(i, n)) {
        out.check(`leaf ${i} as ${j} size ${n}`, () => verifyInclusion(leafHashes[i], j, n, proof, root), false);
      }
      const want = memoShape('path', i, n);
      for (const n2 of otherSizes(n, i + 1, N + 2)) {
        const same = memoShape('path', i, n2) === want;
        sameShape += same ? 1 : 0;
        out.check(`leaf ${i} size ${n} as ${n2}`, () => verifyInclusion(leafHashes[i], i, n2, proof, root), same);
      }
      out.check(`leaf ${i} size ${n} as 0`, () => verifyInclusion(leafHashes[i], i, 0, proof, root), false);
    }
    out.assertAllExpected();
    expect(succeeds(() => verifyInclusion(leafHashes[0], 0, 4, tree.inclusionProof(0, 3), mth(0, 3)))).toBe(true);
    expect(sameShape).toBeGreaterThan(0);
  });
});

describe('tampered consistency proofs fail', () => {
  function tamperBits(m: number, n: number, bits: () => number, out: Outcomes): void {
    const proof = tree.consistencyProof(m, n);
    const [r1, r2] = [mth(0, m), mth(0, n)];
    const at = `${m} -> ${n}`;
    out.check(`${at} root1`, () => verifyConsistency(m, n, proof, flip(r1, bits()), r2), false);
    out.check(`${at} root2`, () => verifyConsistency(m, n, proof, r1, flip(r2, bits())), false);
    proof.forEach((h, j) => {
      const bad = proof.map((p, k) => (k === j ? flip(h, bits()) : p));
      out.check(`${at} proof[${j}]`, () => verifyConsistency(m, n, bad, r1, r2), false);
    });
  }

  it('every bit of every proof hash and both roots, for sizes up to 6', () => {
    const out = new Outcomes();
    for (const [m, n] of pairs.filter(([, b]) => b <= 6)) {
      for (let bit = 0; bit < 256; bit++) tamperBits(m, n, () => bit, out);
    }
    out.assertAllExpected();
  });

  it('one bit (rotating) of each proof hash and of each root, for every 1 <= m <= n <= 70', () => {
    const out = new Outcomes();
    let bit = 0;
    for (const [m, n] of pairs) tamperBits(m, n, () => (bit = (bit + 97) % 256), out);
    out.assertAllExpected();
  });

  it('dropping, duplicating or reordering proof hashes fails', () => {
    const out = new Outcomes();
    for (const [m, n] of pairs) {
      const proof = tree.consistencyProof(m, n);
      const [r1, r2] = [mth(0, m), mth(0, n)];
      const variants: Uint8Array[][] = [
        [...proof, r2],
        [r1, ...proof],
      ];
      proof.forEach((_, j) => {
        variants.push(proof.filter((_, k) => k !== j));
        if (j > 0) variants.push(proof.map((p, k) => (k === j ? proof[j - 1] : k === j - 1 ? proof[j] : p)));
      });
      variants.forEach((bad, v) =>
        out.check(`${m} -> ${n} variant ${v}`, () => verifyConsistency(m, n, bad, r1, r2), false),
      );
    }
    out.assertAllExpected();
  });

  it('other sizes pass only if SUBPROOF has the same shape', () => {
    // As with inclusion, e.g. the proof 1 -> 3 also fits 1 -> 4 because SUBPROOF(1, D[3]) and
    // SUBPROOF(1, D[4]) have the same shape; otherwise any size change must fail.
    const out = new Outcomes();
    for (const [m, n] of pairs) {
      const proof = tree.consistencyProof(m, n);
      const [r1, r2] = [mth(0, m), mth(0, n)];
      const want = memoShape('subproof', m, n);
      for (const m2 of otherSizes(m, 0, n + 1)) {
        const same = m2 > 0 && m2 <= n && memoShape('subproof', m2, n) === want;
        out.check(`${m} -> ${n} as ${m2}`, () => verifyConsistency(m2, n, proof, r1, r2), same);
      }
      for (const n2 of otherSizes(n, 0, N + 2)) {
        const same = n2 >= m && memoShape('subproof', m, n2) === want;
        out.check(`${m} -> ${n} as ${m} -> ${n2}`, () => verifyConsistency(m, n2, proof, r1, r2), same);
      }
    }
    out.assertAllExpected();
    expect(succeeds(() => verifyConsistency(1, 4, tree.consistencyProof(1, 3), mth(0, 1), mth(0, 3)))).toBe(true);
  });
});
