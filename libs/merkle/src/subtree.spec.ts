// Subtree proofs (draft-ietf-plants-merkle-tree-certs): the draft's accumulated test vectors, and
// round trips with tampering. The per-file transparency-dev probes are in
// transparency-dev.vectors.spec.ts.
import { createHash } from 'node:crypto';
import { bytesEqual } from './bytes.util.js';
import { InMemoryTree } from './in-memory-tree.js';
import { MerkleProofError } from './proof.error.js';
import { subtreeProblem } from './proof.planner.js';
import { verifyConsistency } from './proof.verifier.js';
import { hashLeaf } from './rfc6962.hasher.js';
import { verifySubtreeConsistency, verifySubtreeInclusion } from './subtree.verifier.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Valid subtrees [start, end) with end <= maxEnd, in the draft's enumeration order. */
function* subtrees(maxEnd: number): Generator<[number, number]> {
  for (let end = 0; end <= maxEnd; end++) {
    for (let start = 0; start <= end; start++) if (subtreeProblem(start, end) === null) yield [start, end];
  }
}

function rejects(verify: () => void): boolean {
  try {
    verify();
    return false;
  } catch (e) {
    if (!(e instanceof MerkleProofError)) throw e;
    return true;
  }
}

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

describe('subtree validity', () => {
  it.each([
    [0, 0, true],
    [0, 13, true],
    [5, 5, true],
    [4, 7, true],
    [8, 13, true],
    [3, 5, false],
    [1, 3, false],
    [2, 5, false],
    [2, 6, false],
    [1, 15, false],
    [2, 1, false],
  ])('[%d, %d) valid: %s', (start, end, valid) => {
    expect(subtreeProblem(start, end) === null).toBe(valid);
  });
});

// draft-ietf-plants-merkle-tree-certs appendix "Subtree Test Vectors", as pinned in
// transparency-dev/merkle testonly/vectors_test.go (417fb0c): for every valid input with sizes up
// to 130 over leaves d[i] = [i], each output line is folded into one SHA-256.
describe('draft subtree test vectors (n <= 130)', () => {
  const MAX = 130;
  const tree = InMemoryTree.fromLeaves(Array.from({ length: MAX }, (_, i) => Uint8Array.of(i)));
  const proofLine = (prefix: string, proof: Uint8Array[]): string =>
    `${prefix}${proof.map((h) => ` ${hex(h)}`).join('')}\n`;

  it('subtree hashes', () => {
    const h = createHash('sha256');
    for (const [start, end] of subtrees(MAX)) h.update(`[${start}, ${end}) ${hex(tree.subtreeRoot(start, end))}\n`);
    expect(h.digest('hex')).toBe('b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81');
  });

  it('subtree inclusion proofs', () => {
    const h = createHash('sha256');
    for (const [start, end] of subtrees(MAX)) {
      for (let index = start; index < end; index++) {
        h.update(proofLine(`${index} [${start}, ${end})`, tree.subtreeInclusionProof(index, start, end)));
      }
    }
    expect(h.digest('hex')).toBe('ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f');
  });

  it('subtree consistency proofs', () => {
    const h = createHash('sha256');
    for (let n = 0; n <= MAX; n++) {
      for (const [start, end] of subtrees(n)) {
        h.update(proofLine(`[${start}, ${end}) ${n}`, tree.subtreeConsistencyProof(start, end, n)));
      }
    }
    expect(h.digest('hex')).toBe('10fa99b37bf9bf9ffa26b412fbd98bd75363256d0b75d61bc4538b9c9c5a0a74');
  });
});

describe('subtree proof round trips (sizes <= 40)', () => {
  const MAX = 40;
  const leaves = Array.from({ length: MAX }, (_, i) => Uint8Array.of(0xee, i));
  const tree = InMemoryTree.fromLeaves(leaves);

  it('every subtree inclusion proof verifies and equals the inclusion proof of a tree of its leaves', () => {
    for (const [start, end] of subtrees(MAX)) {
      if (start === end) continue;
      const alone = InMemoryTree.fromLeaves(leaves.slice(start, end));
      const root = tree.subtreeRoot(start, end);
      expect(bytesEqual(root, alone.root())).toBe(true);
      for (let index = start; index < end; index++) {
        const proof = tree.subtreeInclusionProof(index, start, end);
        const own = alone.inclusionProof(index - start);
        expect(proof.length === own.length && proof.every((p, i) => bytesEqual(p, own[i]))).toBe(true);
        verifySubtreeInclusion(hashLeaf(leaves[index]), index, start, end, proof, root);
        expect(
          rejects(() => verifySubtreeInclusion(hashLeaf(leaves[index]), index, start, end, proof, flip(root, index))),
        ).toBe(true);
      }
    }
  });

  it('every subtree consistency proof verifies, and tampering with any hash or root fails', () => {
    const wrong: string[] = [];
    let bit = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = tree.root(n);
      for (const [start, end] of subtrees(n)) {
        const proof = tree.subtreeConsistencyProof(start, end, n);
        const subRoot = tree.subtreeRoot(start, end);
        const at = `[${start}, ${end}) in ${n}`;
        if (rejects(() => verifySubtreeConsistency(start, end, n, proof, subRoot, root))) wrong.push(`${at} rejected`);
        if (start === end) continue; // the tree root is not examined for an empty subtree
        bit = (bit + 97) % 256;
        if (!rejects(() => verifySubtreeConsistency(start, end, n, proof, flip(subRoot, bit), root)))
          wrong.push(`${at} subtree root`);
        if (!rejects(() => verifySubtreeConsistency(start, end, n, proof, subRoot, flip(root, bit))))
          wrong.push(`${at} root`);
        proof.forEach((h, j) => {
          const bad = proof.map((p, k) => (k === j ? flip(h, bit) : p));
          if (!rejects(() => verifySubtreeConsistency(start, end, n, bad, subRoot, root)))
            wrong.push(`${at} proof[${j}]`);
        });
        if (!rejects(() => verifySubtreeConsistency(start, end, n, [...proof, root], subRoot, root)))
          wrong.push(`${at} longer`);
        if (start === 0) {
          // With start = 0 a subtree consistency proof is the RFC 9162 one.
          const rfc = tree.consistencyProof(end, n);
          if (rfc.length !== proof.length || !rfc.every((p, i) => bytesEqual(p, proof[i])))
            wrong.push(`${at} differs from RFC`);
          verifyConsistency(end, n, proof, subRoot, root);
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});
