// Every case of rgdd/CCTV merkle/testdata (branch merkle, commit 825c87d), see test-fixtures/SOURCE.md.
import { b64, b64List, readVector } from '../test-fixtures/vectors.loader.js';
import { bytesEqual } from './bytes.util.js';
import { CompactRange } from './compact-range.js';
import { InMemoryTree } from './in-memory-tree.js';
import { MerkleProofError } from './proof.error.js';
import { verifyConsistency, verifyInclusion } from './proof.verifier.js';
import { hashLeaf } from './rfc6962.hasher.js';

interface TreeStep {
  leaf_data: string;
  leaf_hash: string;
  root_hash: string;
}
interface InclusionCase {
  leaf_hash: string;
  leaf_index: number;
  tree_size: number;
  root_hash: string;
  inclusion_path: string[];
  comment?: string;
}
interface ConsistencyCase {
  old_size: number;
  new_size: number;
  old_root: string;
  new_root: string;
  consistency_path: string[];
  comment?: string;
}

const steps = readVector<TreeStep[]>('cctv-merkle/merkle_tree.json');
const inclusionValid = readVector<InclusionCase[]>('cctv-merkle/inclusion-valid.json');
const inclusionInvalid = readVector<InclusionCase[]>('cctv-merkle/inclusion-invalid.json');
const consistencyValid = readVector<ConsistencyCase[]>('cctv-merkle/consistency-valid.json');
const consistencyInvalid = readVector<ConsistencyCase[]>('cctv-merkle/consistency-invalid.json');

const tree = InMemoryTree.fromLeaves(steps.map((s) => new TextEncoder().encode(s.leaf_data)));
const label = (c: { comment?: string }, i: number): string => `#${i}${c.comment ? ` (${c.comment})` : ''}`;
const sameProof = (a: Uint8Array[], b: Uint8Array[]): boolean =>
  a.length === b.length && a.every((h, i) => bytesEqual(h, b[i]));

function expectRejected(verify: () => void): void {
  expect(verify).toThrow(MerkleProofError);
}

describe('CCTV vectors', () => {
  it('has every case', () => {
    expect([steps.length, inclusionValid.length, inclusionInvalid.length]).toEqual([16, 4, 4]);
    expect([consistencyValid.length, consistencyInvalid.length]).toEqual([4, 16]);
  });

  describe('merkle_tree.json: leaf hash and root after each append', () => {
    const range = new CompactRange();
    it.each(steps.map((s, i) => [i + 1, s] as const))('size %d', (size, step) => {
      const leafHash = hashLeaf(new TextEncoder().encode(step.leaf_data));
      expect(bytesEqual(leafHash, b64(step.leaf_hash))).toBe(true);
      range.append(leafHash);
      expect(range.size).toBe(size);
      expect(bytesEqual(range.root(), b64(step.root_hash))).toBe(true);
      expect(bytesEqual(tree.root(size), b64(step.root_hash))).toBe(true);
    });
  });

  describe('inclusion-valid.json', () => {
    it.each(inclusionValid.map((c, i) => [label(c, i), c] as const))('%s', (_l, c) => {
      const proof = b64List(c.inclusion_path);
      verifyInclusion(b64(c.leaf_hash), c.leaf_index, c.tree_size, proof, b64(c.root_hash));
      expect(sameProof(tree.inclusionProof(c.leaf_index, c.tree_size), proof)).toBe(true);
    });
  });

  describe('inclusion-invalid.json', () => {
    it.each(inclusionInvalid.map((c, i) => [label(c, i), c] as const))('%s', (_l, c) => {
      expectRejected(() =>
        verifyInclusion(b64(c.leaf_hash), c.leaf_index, c.tree_size, b64List(c.inclusion_path), b64(c.root_hash)),
      );
    });
  });

  describe('consistency-valid.json', () => {
    const verify = (c: ConsistencyCase): void =>
      verifyConsistency(c.old_size, c.new_size, b64List(c.consistency_path), b64(c.old_root), b64(c.new_root));

    const cases = consistencyValid.map((c, i) => [label(c, i), c] as const);
    it.each(cases.filter(([, c]) => c.old_size > 0))('%s', (_l, c) => {
      verify(c);
      expect(sameProof(tree.consistencyProof(c.old_size, c.new_size), b64List(c.consistency_path))).toBe(true);
    });

    // Deliberate divergence: CCTV accepts proofs from the empty tree (0 -> 0 and 0 -> 1 with an
    // empty path). transparency-dev rejects them as meaningless, and so do we (SOURCE.md).
    it.each(cases.filter(([, c]) => c.old_size === 0))(
      '%s from the empty tree is rejected, following transparency-dev',
      (_l, c) => {
        expect(() => verify(c)).toThrow(/empty tree/);
        expect(() => tree.consistencyProof(c.old_size, c.new_size)).toThrow(RangeError);
      },
    );
  });

  describe('consistency-invalid.json', () => {
    it.each(consistencyInvalid.map((c, i) => [label(c, i), c] as const))('%s', (_l, c) => {
      expectRejected(() =>
        verifyConsistency(c.old_size, c.new_size, b64List(c.consistency_path), b64(c.old_root), b64(c.new_root)),
      );
    });
  });
});
