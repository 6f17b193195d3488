// Proofs at sizes far beyond what fits in memory (up to 2^53 - 1), to exercise the > 32-bit
// arithmetic end to end. The tree is a synthetic but fully consistent world: leaves are constant
// within a few segments, so any perfect node's hash can be computed in O(log n) with memoisation.
import { CompactRange } from './compact-range.js';
import { fetchProof, fetchRoot, type NodeReader } from './node-reader.js';
import { frontierNodes, nodeRange, type NodeId } from './node-id.util.js';
import { consistencyPlan, inclusionPlan } from './proof.planner.js';
import { MerkleProofError } from './proof.error.js';
import { verifyConsistency, verifyInclusion } from './proof.verifier.js';
import { hashChildren, hashLeaf } from './rfc6962.hasher.js';

/** Leaves in [bounds[s], bounds[s + 1]) all hash to hashLeaf([s]); the last segment is unbounded. */
class SegmentedTree implements NodeReader {
  private readonly memo = new Map<string, Uint8Array>();
  constructor(private readonly bounds: readonly number[]) {}

  segment(leaf: number): number {
    let s = 0;
    while (s + 1 < this.bounds.length && this.bounds[s + 1] <= leaf) s++;
    return s;
  }

  leafHash(leaf: number): Uint8Array {
    return hashLeaf(Uint8Array.of(this.segment(leaf)));
  }

  private hash(level: number, index: number): Uint8Array {
    const { begin, end } = nodeRange({ level, index });
    const seg = this.segment(begin);
    // Uniform nodes depend only on (segment, level); mixed ones on their position.
    const uniform = this.segment(end - 1) === seg;
    const key = uniform ? `u${seg}:${level}` : `m${level}:${index}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      h =
        level === 0
          ? this.leafHash(begin)
          : hashChildren(this.hash(level - 1, 2 * index), this.hash(level - 1, 2 * index + 1));
      this.memo.set(key, h);
    }
    return h;
  }

  getNodes(ids: readonly NodeId[]): Uint8Array[] {
    return ids.map((id) => this.hash(id.level, id.index));
  }
}

const BOUNDS = [0, 1, 12_345, 2 ** 31 + 5, 2 ** 33 - 1, 2 ** 40 + 3, 2 ** 52 - 17];
const world = new SegmentedTree(BOUNDS);
const SIZES = [10_000_000, 2 ** 32 + 1, 2 ** 41 - 1, 2 ** 52, Number.MAX_SAFE_INTEGER];

describe('proofs at sizes up to 2^53 - 1', () => {
  it.each(SIZES)('inclusion proofs verify at size %d, and only for the right leaf hash', async (size) => {
    const root = await fetchRoot(world, size);
    const probes = BOUNDS.flatMap((b) => [b - 1, b, b + 1]).filter((i) => i >= 0 && i < size);
    for (const index of [...probes, size - 1]) {
      const proof = await fetchProof(world, inclusionPlan(index, size));
      verifyInclusion(world.leafHash(index), index, size, proof, root);
      const other = hashLeaf(Uint8Array.of(200));
      expect(() => verifyInclusion(other, index, size, proof, root)).toThrow(MerkleProofError);
    }
  });

  it.each(SIZES)('consistency proofs verify up to size %d', async (size) => {
    const root2 = await fetchRoot(world, size);
    const olds = BOUNDS.flatMap((b) => [b, b + 1, b + 2]).filter((m) => m >= 1 && m <= size);
    for (const size1 of [...olds, size - 1, size]) {
      const proof = await fetchProof(world, consistencyPlan(size1, size));
      const root1 = await fetchRoot(world, size1);
      verifyConsistency(size1, size, proof, root1, root2);
      if (size1 < size) {
        expect(() => verifyConsistency(size1, size, proof, root2, root2)).toThrow(MerkleProofError);
      }
    }
  });

  it.each([2 ** 32 - 3, 2 ** 40, 2 ** 52 - 20])(
    'CompactRange resumes at size %d and keeps exact indices',
    async (size) => {
      const range = CompactRange.fromFrontier(size, world.getNodes(frontierNodes(size)));
      for (let k = 0; k < 40; k++) {
        for (const node of range.append(world.leafHash(size + k))) {
          expect(nodeRange(node).end).toBe(size + k + 1);
          expect(node.hash).toEqual(world.getNodes([node])[0]);
        }
        expect(range.root()).toEqual(await fetchRoot(world, size + k + 1));
      }
    },
  );
});
